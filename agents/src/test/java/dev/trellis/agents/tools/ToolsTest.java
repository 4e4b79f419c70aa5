package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.trellis.agents.MediaWikiStandIn;
import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolsTest {

    /** The course's custom tool, as a Java method. */
    static final class DateTools {
        @Tool("Returns today's date; use it for any question about today's date. The input is ignored.")
        public String time(String text) {
            return "2024-05-31";
        }
    }

    static final class MathTools {
        @Tool("Adds two integers")
        public int add(@P("first number") int a, @P("second number") int b) {
            return a + b;
        }

        @Tool(name = "shout", value = "Upper-cases the text")
        public String shout(String text) {
            return text.toUpperCase();
        }

        @Tool("Always fails")
        public String broken(String text) {
            throw new IllegalStateException("disk on fire: " + text);
        }
    }

    @Test
    void toolMethodsBecomeToolsWithTheirSchemas() throws Exception {
        List<AgentTool> tools = Tools.fromObject(new MathTools());
        assertThat(tools).extracting(AgentTool::name).containsExactly("add", "broken", "shout");

        AgentTool add = tools.get(0);
        ToolSpecification spec = add.specification();
        assertThat(spec.description()).isEqualTo("Adds two integers");
        assertThat(spec.parameters().properties()).containsOnlyKeys("a", "b");
        assertThat(add.runJson("{\"a\": 2, \"b\": 40}")).isEqualTo("42");
        assertThat(add.run("{\"a\": 1, \"b\": 2}")).as("text agents send JSON for multi-argument tools").isEqualTo("3");

        AgentTool shout = tools.get(2);
        assertThat(shout.run("hello there")).as("one String parameter takes the text input").isEqualTo("HELLO THERE");
        assertThat(shout.runJson("{\"text\": \"hi\"}")).isEqualTo("HI");
        assertThat(shout.runJson("{\"input\": \"hey\"}")).isEqualTo("HEY");

        assertThatThrownBy(() -> tools.get(1).run("x")).isInstanceOf(IllegalStateException.class).hasMessage("disk on fire: x");
        assertThatThrownBy(() -> tools.get(1).runJson("{\"text\": \"y\"}")).as("native calls fail the same way")
                .isInstanceOf(IllegalStateException.class).hasMessage("disk on fire: y");
        assertThatThrownBy(() -> add.runJson("{\"a\": \"two\", \"b\": 1}")).hasMessageContaining("Argument \"a\"");
        assertThatThrownBy(() -> add.runJson("{\"a\": 1}")).hasMessageContaining("Required parameter \"b\"");
        assertThatThrownBy(() -> add.run("one and two")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("arguments for tool 'add' must be a JSON object with the keys [a, b]; got: one and two");
    }

    static final class StaticTools {
        @Tool({"Counts the words of the text.", "Words are separated by whitespace."})
        static int words(String text) {
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }
    }

    @Test
    void staticToolMethodsFromTheClass() throws Exception {
        AgentTool words = Tools.fromObject(StaticTools.class).get(0);
        assertThat(words.description()).isEqualTo("Counts the words of the text.\nWords are separated by whitespace.");
        assertThat(words.run("one two  three")).isEqualTo("3");
        assertThatThrownBy(() -> Tools.fromObject(MathTools.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not static; pass an instance");
    }

    @Test
    void anObjectWithoutToolMethodsIsRefusedByName() {
        assertThatThrownBy(() -> Tools.fromObject("just a string"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String has no method annotated with");
    }

    @Test
    void customDateToolFromAToolMethod() throws Exception {
        AgentTool time = Tools.fromObject(new DateTools()).get(0);
        assertThat(time.name()).isEqualTo("time");
        assertThat(time.description()).startsWith("Returns today's date");
        assertThat(time.run("")).isEqualTo("2024-05-31");
    }

    @Test
    void builtInDateReadsTheClock() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2023-07-14T10:00:00Z"), ZoneOffset.UTC);
        List<AgentTool> tools = Tools.loader().clock(clock).load(List.of("date"));
        assertThat(tools.get(0).run("whatever")).isEqualTo("2023-07-14");
    }

    @Test
    void unknownBuiltInNamesAndMissingPartsAreNamed() {
        assertThatThrownBy(() -> Tools.load(List.of("llm-math", "duckduckgo"), ScriptedChatModel.replying()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown built-in tool 'duckduckgo'")
                .hasMessageContaining("llm-math");
        assertThatThrownBy(() -> Tools.load(List.of("llm-math"), null)).hasMessageContaining("needs a model");
        assertThatThrownBy(() -> Tools.load(List.of("search-documents"), ScriptedChatModel.replying()))
                .hasMessageContaining("needs a retriever");
    }

    @Test
    void expressionsAreEvaluatedNotExecutedAndPrintedLikePython() {
        assertThat(LlmMathTool.evaluate("0.25 * 300")).isEqualTo("75.0");
        assertThat(LlmMathTool.evaluate("25 / 100 * 300")).isEqualTo("75.0");
        assertThat(LlmMathTool.evaluate("3 + 4")).isEqualTo("7");
        assertThat(LlmMathTool.evaluate("2 ** 10")).isEqualTo("1024");
        assertThat(LlmMathTool.evaluate("sqrt(2)")).isEqualTo("1.4142135623730951");
        assertThat(LlmMathTool.evaluate("1 / 3")).isEqualTo("0.3333333333333333");
        assertThat(LlmMathTool.evaluate("2 * pi")).isEqualTo("6.283185307179586");
        assertThat(LlmMathTool.pythonRepr(1e16)).isEqualTo("1e+16");
        assertThat(LlmMathTool.pythonRepr(123456789012345.0)).isEqualTo("123456789012345.0");
        assertThat(LlmMathTool.pythonRepr(0.0001)).isEqualTo("0.0001");
        assertThat(LlmMathTool.pythonRepr(0.00001)).isEqualTo("1e-05");
        assertThat(LlmMathTool.pythonRepr(-2.5e-7)).isEqualTo("-2.5e-07");

        assertThat(LlmMathTool.evaluateToAnswer("System.exit(0)")).startsWith("Error: cannot evaluate 'System.exit(0)'");
        assertThat(LlmMathTool.evaluateToAnswer("1 / 0")).startsWith("Error: cannot evaluate '1 / 0'");
        assertThat(LlmMathTool.evaluateToAnswer("")).startsWith("Error: cannot evaluate");
    }

    @Test
    void llmMathAsksTheModelForAnExpressionAndComputesIt() throws Exception {
        ScriptedChatModel llm = ScriptedChatModel.replying("Question: 25% of 300\n```text\n0.25 * 300\n```", "```text\n300 /\n```");
        AgentTool math = Tools.load(List.of("llm-math"), llm).get(0);
        assertThat(math.name()).isEqualTo("Calculator");
        assertThat(math.run("What is 25% of 300?")).isEqualTo("Answer: 75.0");
        assertThat(llm.lastPrompt()).contains("What is 25% of 300?").contains("```text");
        assertThat(math.run("broken")).as("an evaluator error is the observation").startsWith("Error: cannot evaluate '300 /'");
    }

    @Test
    void wikipediaSearchesAndSummarizesOverTheMediaWikiApi() throws Exception {
        try (MediaWikiStandIn wiki = new MediaWikiStandIn()) {
            wiki.page("Tom M. Mitchell", "Tom Michael Mitchell (born 1951) is an American computer scientist. "
                            + "He wrote the textbook Machine Learning.")
                    .page("Machine Learning (book)", "Machine Learning is a 1997 textbook by Tom M. Mitchell.")
                    .page("Gardening", "Plants and soil.");
            AgentTool wikipedia = Tools.loader().wikipediaEndpoint(wiki.endpoint()).load(List.of("wikipedia")).get(0);
            String observation = wikipedia.run("Tom M. Mitchell");
            assertThat(observation)
                    .startsWith("Page: Tom M. Mitchell\nSummary: Tom Michael Mitchell (born 1951)")
                    .contains("Page: Machine Learning (book)\nSummary: Machine Learning is a 1997 textbook")
                    .doesNotContain("Gardening");
            assertThat(wiki.queries().get(0)).contains("list=search").contains("srsearch=Tom+M.+Mitchell");
            assertThat(wiki.queries().get(1)).contains("prop=extracts").contains("explaintext");
            assertThat(wikipedia.run("quantum chromodynamics")).startsWith("No good Wikipedia Search Result was found");
        }
    }

    @Test
    void wikipediaNetworkFailuresAndTimeoutsBecomeObservations() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        WikipediaTool unreachable = WikipediaTool.builder().endpoint(URI.create("http://127.0.0.1:" + closedPort + "/w/api.php"))
                .timeout(Duration.ofSeconds(2)).build();
        assertThat(unreachable.run("anything")).startsWith("Wikipedia search failed: ConnectException")
                .contains("127.0.0.1:" + closedPort);

        try (MediaWikiStandIn slow = new MediaWikiStandIn()) {
            slow.page("A", "a").delay(Duration.ofMillis(1500)); // close() waits for this handler
            WikipediaTool tool = WikipediaTool.builder().endpoint(slow.endpoint()).timeout(Duration.ofMillis(300)).build();
            long start = System.nanoTime();
            assertThat(tool.run("A")).startsWith("Wikipedia did not answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void searchDocumentsListsRetrievedPassagesWithSources() throws Exception {
        ContentRetriever retriever = query -> query.text().contains("blanket")
                ? List.of(Content.from(TextSegment.from("Cozy wool blanket, 120x200 cm.", Metadata.from("source", "catalog.csv"))),
                        Content.from(TextSegment.from("Fleece throw blanket.", new Metadata().put("row", 7))))
                : List.of();
        AgentTool search = Tools.loader().retriever(retriever).load(List.of("search-documents")).get(0);
        assertThat(search.name()).isEqualTo("search_documents");
        assertThat(search.run("warm blanket")).isEqualTo(
                "[1] Cozy wool blanket, 120x200 cm.\n(source: catalog.csv)\n\n[2] Fleece throw blanket.\n(source: row 7)");
        assertThat(search.run("kettle")).isEqualTo("No documents matched 'kettle'.");
    }
}
