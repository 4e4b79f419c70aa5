package dev.trellis.agents;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.agents.tools.Tools;
import dev.trellis.framework.chains.ChainInputException;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import dev.trellis.framework.tracing.Tracing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The course's agent examples and every way an agent run can go wrong, with scripted models. */
class AgentExecutorTest {

    private static final Pattern LAST_OBSERVATION = Pattern.compile("(?s).*Observation: (.*?)\\nThought:\\s*$");

    @AfterEach
    void restoreVerboseOutput() {
        Tracing.verboseOutput(System.out);
    }

    /** The course's custom tool: a {@code @Tool} method, on a fixed clock so the test knows the date. */
    static final class DateTools {
        private final Clock clock;

        DateTools(Clock clock) {
            this.clock = clock;
        }

        @Tool("Returns todays date, use this for any questions related to knowing todays date. "
                + "The input should always be an empty string; any date mathematics happens outside this function.")
        public String time(String text) {
            return LocalDate.now(clock).toString();
        }
    }

    static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage user) {
                return user.singleText();
            }
        }
        return "";
    }

    /** What the agent last observed, read back from the prompt the executor built. */
    static String lastObservation(String prompt) {
        // Skip the format instructions, which show an example observation.
        String work = prompt.contains("Begin!") ? prompt.substring(prompt.lastIndexOf("Begin!")) : prompt;
        Matcher m = LAST_OBSERVATION.matcher(work);
        return m.matches() ? m.group(1) : null;
    }

    static String jsonAction(String tool, String input) {
        return "Thought: I should use " + tool + ".\nAction:\n```json\n{\n  \"action\": \"" + tool
                + "\",\n  \"action_input\": \"" + input + "\"\n}\n```";
    }

    @Test
    void whatIsTheTwentyFivePercentOfThreeHundred() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = lastUserText(messages);
            if (prompt.startsWith("Translate a math problem")) {
                return "Question: 25% of 300\n```text\n25 / 100 * 300\n```";
            }
            String observation = lastObservation(prompt);
            if (observation == null) {
                return jsonAction("Calculator", "25% of 300");
            }
            return "Thought: I now know the final answer\nFinal Answer: " + observation.replace("Answer: ", "");
        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Tracing.verboseOutput(new PrintStream(printed, true, StandardCharsets.UTF_8));

        AgentExecutor agent = AgentExecutor.builder()
                .tools(Tools.load(List.of("llm-math", "wikipedia"), llm))
                .llm(llm)
                .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .handleParsingErrors(true)
                .returnIntermediateSteps(true)
                .verbose(true)
                .build();
        Map<String, Object> result = agent.call("What is the 25% of 300?");

        assertThat(result.get("output")).as("computed by exp4j, not written by the script").isEqualTo("75.0");
        @SuppressWarnings("unchecked")
        List<AgentStep> steps = (List<AgentStep>) result.get("intermediate_steps");
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).action().tool()).isEqualTo("Calculator");
        assertThat(steps.get(0).action().toolInput()).isEqualTo("25% of 300");
        assertThat(steps.get(0).observation()).isEqualTo("Answer: 75.0");

        List<ChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(3);
        ChatRequest first = requests.get(0);
        assertThat(first.stopSequences()).containsExactly("\nObservation:");
        assertThat(((SystemMessage) first.messages().get(0)).text())
                .contains("Calculator: Useful for when you need to answer questions about math")
                .contains("wikipedia: A wrapper around Wikipedia")
                .contains("\"action\" must be one of: Calculator, wikipedia");
        assertThat(lastUserText(requests.get(2).messages()))
                .startsWith("What is the 25% of 300?\n\n")
                .contains("Observation: Answer: 75.0\nThought:");

        String trace = printed.toString(StandardCharsets.UTF_8);
        assertThat(trace).contains("> Entering new AgentExecutor(CHAT_ZERO_SHOT_REACT_DESCRIPTION) chain...")
                .contains("\"action\": \"Calculator\"")
                .contains("Observation: Answer: 75.0")
                .contains("Final Answer: 75.0")
                .contains("> Finished chain.");
    }

    @Test
    void listenersHearEveryStepAndTheNestedCalculatorChain() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = lastUserText(messages);
            if (prompt.startsWith("Translate a math problem")) {
                return "```text\n2 ^ 10\n```";
            }
            String observation = lastObservation(prompt);
            return observation == null ? " I will compute it.\nAction: Calculator\nAction Input: 2 to the 10th"
                    : " I know it.\nFinal Answer: " + observation;
        });
        List<String> events = new ArrayList<>();
        ChainListener listener = new ChainListener() {
            @Override
            public void onChainStart(ChainRun run, Map<String, Object> inputs) {
                events.add(run.depth() + " start " + run.chainName());
            }

            @Override
            public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
                events.add(run.depth() + " llm");
            }

            @Override
            public void onText(ChainRun run, String text) {
                events.add(run.depth() + " text " + text.lines().findFirst().orElse(""));
            }

            @Override
            public void onChainEnd(ChainRun run, Map<String, Object> outputs) {
                events.add(run.depth() + " end " + run.chainName());
            }
        };
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Tracing.verboseOutput(new PrintStream(printed, true, StandardCharsets.UTF_8));
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(Tools.load(List.of("llm-math"), llm))
                .listener(listener).verbose(true).build();

        assertThat(agent.run("What is 2 to the 10th?")).isEqualTo("Answer: 1024");
        assertThat(events).containsExactly(
                "0 start AgentExecutor(ZERO_SHOT_REACT_DESCRIPTION)",
                "0 llm",
                "0 text Thought: I will compute it.",
                "1 start LlmMathChain",
                "1 llm",
                "1 end LlmMathChain",
                "0 text Observation: Answer: 1024",
                "0 llm",
                "0 text Thought: I know it.",
                "0 end AgentExecutor(ZERO_SHOT_REACT_DESCRIPTION)");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .as("verbose shows the steps, not every prompt again")
                .contains("Thought: I will compute it.\nAction: Calculator\nAction Input: 2 to the 10th\nObservation: Answer: 1024")
                .doesNotContain("Prompt after formatting");
    }

    @Test
    void theWikipediaQuestionAgainstALocalMediaWiki() throws Exception {
        try (MediaWikiStandIn wiki = new MediaWikiStandIn()) {
            wiki.page("Tom M. Mitchell", "Tom Michael Mitchell (born 1951) is an American computer scientist and "
                    + "the Founders University Professor at Carnegie Mellon University. He wrote the textbook Machine Learning.");
            ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
                String observation = lastObservation(lastUserText(messages));
                if (observation == null) {
                    return jsonAction("wikipedia", "Tom M. Mitchell");
                }
                Matcher book = Pattern.compile("wrote the textbook (.+?)\\.").matcher(observation);
                return book.find() ? "Thought: found it\nFinal Answer: " + book.group(1)
                        : "Thought: nothing found\nFinal Answer: I don't know";
            });
            AgentExecutor agent = AgentExecutor.builder()
                    .tools(Tools.loader().llm(llm).wikipediaEndpoint(wiki.endpoint()).load(List.of("llm-math", "wikipedia")))
                    .llm(llm)
                    .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                    .handleParsingErrors(true)
                    .build();

            String answer = agent.run("Tom M. Mitchell is an American computer scientist and the Founders University "
                    + "Professor at Carnegie Mellon University (CMU). What book did he write?");

            assertThat(answer).isEqualTo("Machine Learning");
            assertThat(wiki.queries()).anySatisfy(q -> assertThat(q).contains("srsearch=Tom+M.+Mitchell"));
        }
    }

    @Test
    void theCustomDateToolFromAToolMethod() {
        Clock clock = Clock.fixed(Instant.parse("2024-02-29T12:00:00Z"), ZoneOffset.UTC);
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String observation = lastObservation(lastUserText(messages));
            return observation == null ? jsonAction("time", "") : "Thought: I know the date\nFinal Answer: Today is " + observation;
        });
        List<AgentTool> tools = Tools.load(List.of("llm-math", "wikipedia"), llm);
        tools.addAll(Tools.fromObject(new DateTools(clock)));
        AgentExecutor agent = AgentExecutor.builder().tools(tools).llm(llm)
                .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION).handleParsingErrors(true).build();

        assertThat(agent.call("whats the date today?").get("output")).isEqualTo("Today is 2024-02-29");
        assertThat(((SystemMessage) llm.requests().get(0).messages().get(0)).text())
                .contains("time: Returns todays date, use this for any questions related to knowing todays date.");
    }

    @Test
    void textReActStopsAtObservationAndIgnoresInventedOnes() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = lastUserText(messages);
            if (prompt.startsWith("Translate a math problem")) {
                return "```text\n0.25 * 300\n```";
            }
            String observation = lastObservation(prompt);
            if (observation == null) {
                // A model that ignores the stop sequence and makes up the rest.
                return " I should use the calculator.\nAction: Calculator\nAction Input: \"25% of 300\"\n"
                        + "Observation: 999\nThought: I now know the final answer\nFinal Answer: 999";
            }
            return " I now know the final answer\nFinal Answer: " + observation.substring("Answer: ".length());
        });
        AgentExecutor agent = Agents.initializeAgent(Tools.load(List.of("llm-math"), llm), llm,
                AgentType.ZERO_SHOT_REACT_DESCRIPTION);

        assertThat(agent.run("What is the 25% of 300?")).isEqualTo("75.0");
        ChatRequest first = llm.requests().get(0);
        assertThat(first.stopSequences()).containsExactly("\nObservation:");
        assertThat(first.messages()).hasSize(1);
        assertThat(lastUserText(first.messages()))
                .contains("Calculator: Useful for when you need to answer questions about math")
                .contains("Action: the tool to use, one of [Calculator]")
                .endsWith("Question: What is the 25% of 300?\nThought:");
        assertThat(lastUserText(llm.requests().get(2).messages()))
                .endsWith("Action Input: \"25% of 300\"\nObservation: Answer: 75.0\nThought: ")
                .doesNotContain("999");
    }

    @Test
    void anUnknownToolIsReportedToTheModel() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String observation = lastObservation(lastUserText(messages));
            return observation == null ? jsonAction("google", "weather") : "Thought: ok\nFinal Answer: " + observation;
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(Tools.date(), AgentTool.of("echo", "Repeats the input", in -> in)).build();
        assertThat(agent.run("weather?")).isEqualTo("google is not a valid tool, try one of [date, echo].");
    }

    @Test
    void aToolThatThrowsBecomesAnObservation() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String observation = lastObservation(lastUserText(messages));
            return observation == null ? jsonAction("explode", "now") : "Thought: it failed\nFinal Answer: " + observation;
        });
        AgentTool explode = AgentTool.of("explode", "Always fails", in -> {
            throw new IllegalStateException("boom at " + in);
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(explode).build();
        assertThat(agent.run("go")).isEqualTo("Error: tool 'explode' failed: IllegalStateException: boom at now");
    }

    @Test
    void aLoopingModelStopsAtMaxIterations() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> jsonAction("echo", "again"));
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(AgentTool.of("echo", "Repeats the input", in -> in))
                .maxIterations(3).returnIntermediateSteps(true).build();

        Map<String, Object> result = agent.call("loop forever");
        assertThat(result.get("output")).isEqualTo("Agent stopped due to iteration limit (3).");
        assertThat((List<?>) result.get("intermediate_steps")).hasSize(3);
        assertThat(llm.requests()).hasSize(3);
    }

    @Test
    void generateAsksForAFinalAnswerWhenStopped() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = lastUserText(messages);
            return prompt.endsWith("I now need to return a final answer based on the previous steps:")
                    ? "Thought: out of time\nFinal Answer: best guess after " + prompt.split("Observation: again").length + " parts"
                    : jsonAction("echo", "again");
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(AgentTool.of("echo", "Repeats the input", in -> in))
                .maxIterations(2).earlyStoppingMethod(EarlyStoppingMethod.GENERATE).build();

        assertThat(agent.run("loop")).isEqualTo("best guess after 3 parts");
        assertThat(llm.requests()).hasSize(3);
    }

    @Test
    void maxExecutionTimeStopsAHangingTool() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> jsonAction("slow", "x"));
        AgentTool slow = AgentTool.of("slow", "Takes forever", in -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "finally";
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(slow).maxIterations(null).maxExecutionTime(Duration.ofMillis(500)).build();

        long start = System.nanoTime();
        assertThat(agent.run("hurry")).isEqualTo("Agent stopped due to time limit (500 ms) while running [slow].");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void maxExecutionTimeStopsAModelThatNeverFinishes() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> jsonAction("echo", "again"));
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(AgentTool.of("echo", "Repeats the input", in -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return in;
                }))
                .maxIterations(null).maxExecutionTime(Duration.ofMillis(400)).build();

        long start = System.nanoTime();
        String output = agent.run("loop");
        assertThat(output).startsWith("Agent stopped due to time limit (400 ms)");
        assertThat(llm.requests().size()).isGreaterThan(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void parsingErrorsGoBackToTheModelWhenHandled() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String observation = lastObservation(lastUserText(messages));
            return observation == null ? "I think the answer is four." : "Thought: fixed\nFinal Answer: 4 (after: " + observation + ")";
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .tools(Tools.date()).handleParsingErrors(true).returnIntermediateSteps(true).build();

        Map<String, Object> result = agent.call("2+2?");
        assertThat(result.get("output")).isEqualTo("4 (after: Invalid or incomplete response: found neither an action "
                + "blob in a ``` code block nor a Final Answer)");
        @SuppressWarnings("unchecked")
        List<AgentStep> steps = (List<AgentStep>) result.get("intermediate_steps");
        assertThat(steps.get(0).action().tool()).isEqualTo(AgentAction.EXCEPTION_TOOL);
        assertThat(steps.get(0).action().log()).isEqualTo("I think the answer is four.");
    }

    @Test
    void parsingErrorsFailTheRunWhenNotHandled() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Thought: I need the date\nAction: date\nI am not sure what to write next");
        AgentExecutor agent = Agents.initializeAgent(List.of(Tools.date()), llm, AgentType.ZERO_SHOT_REACT_DESCRIPTION);
        assertThatThrownBy(() -> agent.run("today?"))
                .isInstanceOf(AgentOutputParserException.class)
                .hasMessageContaining("Invalid Format: Missing 'Action Input:' after 'Action:'")
                .hasMessageContaining("handleParsingErrors(true)")
                .hasMessageContaining("I am not sure what to write next");
    }

    /** Tools for native calls: each waits until the other has started, which only parallel calls pass. */
    static final class ParallelTools {
        final CyclicBarrier bothStarted = new CyclicBarrier(2);
        final List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());

        @Tool("Adds two integers")
        public int add(@P("first") int a, @P("second") int b) throws Exception {
            threads.add(Thread.currentThread().getName());
            bothStarted.await(5, TimeUnit.SECONDS);
            return a + b;
        }

        @Tool("Multiplies two integers")
        public int multiply(@P("first") int a, @P("second") int b) throws Exception {
            threads.add(Thread.currentThread().getName());
            bothStarted.await(5, TimeUnit.SECONDS);
            return a * b;
        }
    }

    @Test
    void toolCallingRunsParallelCallsAndReturnsEachResult() {
        ScriptedChatModel llm = ScriptedChatModel.responding(request -> {
            List<ToolExecutionResultMessage> results = request.messages().stream()
                    .filter(ToolExecutionResultMessage.class::isInstance).map(ToolExecutionResultMessage.class::cast).toList();
            if (results.isEmpty()) {
                return AiMessage.from(List.of(
                        ToolExecutionRequest.builder().id("call_a").name("add").arguments("{\"a\": 2, \"b\": 3}").build(),
                        ToolExecutionRequest.builder().id("call_m").name("multiply").arguments("{\"a\": 4, \"b\": 5}").build()));
            }
            StringBuilder answer = new StringBuilder("Results:");
            results.forEach(r -> answer.append(' ').append(r.id()).append('=').append(r.text()));
            return AiMessage.from(answer.toString());
        });
        ParallelTools parallel = new ParallelTools();
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.TOOL_CALLING)
                .tools(Tools.fromObject(parallel)).returnIntermediateSteps(true).build();

        Map<String, Object> result = agent.call("What are 2+3 and 4*5?");
        assertThat(result.get("output")).isEqualTo("Results: call_a=5 call_m=20");
        assertThat(parallel.threads).hasSize(2).doesNotHaveDuplicates();

        List<ChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).toolSpecifications()).extracting(ToolSpecification::name).containsExactly("add", "multiply");
        assertThat(requests.get(0).toolSpecifications().get(0).parameters().properties()).containsOnlyKeys("a", "b");
        List<ChatMessage> second = requests.get(1).messages();
        assertThat(second).hasSize(5);
        assertThat(second.get(2)).isInstanceOf(AiMessage.class);
        assertThat(((AiMessage) second.get(2)).toolExecutionRequests()).hasSize(2);
        assertThat(second.get(3)).isEqualTo(ToolExecutionResultMessage.from("call_a", "add", "5"));
        assertThat(second.get(4)).isEqualTo(ToolExecutionResultMessage.from("call_m", "multiply", "20"));

        @SuppressWarnings("unchecked")
        List<AgentStep> steps = (List<AgentStep>) result.get("intermediate_steps");
        assertThat(steps).extracting(s -> s.action().toolCallId() + ":" + s.observation()).containsExactly("call_a:5", "call_m:20");
    }

    @Test
    void toolCallingReportsUnknownToolsAndBadArgumentsAsResults() {
        ScriptedChatModel llm = ScriptedChatModel.responding(request -> {
            List<ToolExecutionResultMessage> results = request.messages().stream()
                    .filter(ToolExecutionResultMessage.class::isInstance).map(ToolExecutionResultMessage.class::cast).toList();
            if (results.isEmpty()) {
                return AiMessage.from(List.of(
                        ToolExecutionRequest.builder().id("1").name("teleport").arguments("{}").build(),
                        ToolExecutionRequest.builder().id("2").name("add").arguments("{\"a\": \"two\", \"b\": 1}").build()));
            }
            return AiMessage.from(String.join(" | ", results.stream().map(ToolExecutionResultMessage::text).toList()));
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.TOOL_CALLING)
                .tools(Tools.fromObject(new Object() {
                    @Tool("Adds two integers")
                    public int add(int a, int b) {
                        return a + b;
                    }
                })).build();
        String output = agent.run("go");
        assertThat(output).isEqualTo("teleport is not a valid tool, try one of [add]. | Error: tool 'add' failed: "
                + "IllegalArgumentException: Argument \"a\" is not convertable to int, got java.lang.String: <two>");
    }

    @Test
    void anAgentIsAChain() {
        AgentExecutor agent = Agents.initializeAgent(List.of(Tools.date()), ScriptedChatModel.replying("Final Answer: hi"),
                AgentType.ZERO_SHOT_REACT_DESCRIPTION);
        assertThat(agent.inputKeys()).containsExactly("input");
        assertThat(agent.outputKeys()).containsExactly("output");
        assertThat(agent.call(Map.of("input", "hello"))).containsEntry("input", "hello").containsEntry("output", "hi");
        assertThatThrownBy(() -> agent.call(Map.of("question", "x"))).isInstanceOf(ChainInputException.class)
                .hasMessageContaining("missing input key(s) [input]");
        assertThatThrownBy(() -> AgentExecutor.builder().llm(ScriptedChatModel.replying())
                .tools(Tools.date(), Tools.date()).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("two tools are named 'date'");
        assertThatThrownBy(() -> AgentExecutor.builder().llm(ScriptedChatModel.replying()).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("at least one tool");
        assertThatThrownBy(() -> AgentExecutor.builder().llm(ScriptedChatModel.replying()).tools(Tools.date())
                .maxIterations(null).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("run forever");
        assertThatThrownBy(() -> AgentExecutor.builder().llm(ScriptedChatModel.replying()).tools(Tools.date())
                .maxIterations(0).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("maxIterations must be at least 1, got 0");
    }
}
