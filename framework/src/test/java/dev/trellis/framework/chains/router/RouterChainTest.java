package dev.trellis.framework.chains.router;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The course's router snippet in Java, plus the router's failure modes. */
class RouterChainTest {

    static final String PHYSICS = "You are a physics professor who explains things briefly and plainly. "
            + "If you do not know an answer, you say so.\n\nHere is a question:\n{input}";
    static final String MATH = "You are a mathematician who splits hard problems into parts, "
            + "solves each part, and combines them.\n\nHere is a question:\n{input}";
    static final String HISTORY = "You are a historian who weighs evidence about people, events "
            + "and periods.\n\nHere is a question:\n{input}";
    static final String COMPUTER_SCIENCE = "You are a computer scientist who describes solutions as "
            + "clear steps and balances time and space complexity.\n\nHere is a question:\n{input}";

    static final List<PromptInfo> PROMPT_INFOS = List.of(
            new PromptInfo("physics", "Good for answering questions about physics", PHYSICS),
            new PromptInfo("math", "Good for answering math questions", MATH),
            new PromptInfo("History", "Good for answering history questions", HISTORY),
            new PromptInfo("computer science", "Good for answering computer science questions", COMPUTER_SCIENCE));

    static String routerAnswer(String destination, String nextInputs) {
        return "```json\n{\n    \"destination\": \"" + destination + "\",\n    \"next_inputs\": \"" + nextInputs + "\"\n}\n```";
    }

    @Test
    void routesEachCourseQuestionAndSendsTheExactPrompts() {
        ScriptedChatModel llm = ScriptedChatModel.replying(
                routerAnswer("physics", "What is black body radiation?"),
                "Radiation emitted by an idealized perfect absorber.",
                routerAnswer("math", "what is 2 + 2"),
                "4",
                routerAnswer("DEFAULT", "Why does every cell in our body contain DNA?"),
                "DNA carries the instructions each cell needs.");
        LlmChain defaultChain = new LlmChain(llm, ChatPromptTemplate.fromTemplate("{input}"));
        MultiPromptChain chain = MultiPromptChain.builder().llm(llm).promptInfos(PROMPT_INFOS)
                .defaultChain(defaultChain).verbose(true).build();

        assertThat(chain.run("What is black body radiation?")).isEqualTo("Radiation emitted by an idealized perfect absorber.");
        assertThat(chain.run("what is 2 + 2")).isEqualTo("4");
        assertThat(chain.run("Why does every cell in our body contain DNA?"))
                .isEqualTo("DNA carries the instructions each cell needs.");

        List<ChatRequest> requests = llm.requests();
        String routerPrompt = text(requests.get(0));
        assertThat(routerPrompt)
                .contains("```json\n{\n    \"destination\": string \\ the name of the prompt to use, or \"DEFAULT\"\n")
                .contains("\n}\n```\n")
                .contains("<< CANDIDATE PROMPTS >>\nphysics: Good for answering questions about physics\n"
                        + "math: Good for answering math questions\nHistory: Good for answering history questions\n"
                        + "computer science: Good for answering computer science questions\n\n<< INPUT >>\n"
                        + "What is black body radiation?\n\n<< OUTPUT (remember the ```json block) >>")
                .doesNotContain("{{").doesNotContain("{input}");
        assertThat(text(requests.get(1))).isEqualTo(PHYSICS.replace("{input}", "What is black body radiation?"));
        assertThat(text(requests.get(3))).isEqualTo(MATH.replace("{input}", "what is 2 + 2"));
        assertThat(text(requests.get(5))).isEqualTo("Why does every cell in our body contain DNA?");
    }

    @Test
    void routerMayReviseTheInput() {
        ScriptedChatModel llm = ScriptedChatModel.replying(routerAnswer("math", "Compute 2 + 2."), "4");
        MultiPromptChain chain = MultiPromptChain.fromPrompts(llm, PROMPT_INFOS);
        assertThat(chain.call(Map.of("input", "two plus two?"))).containsEntry("text", "4");
        assertThat(llm.lastPrompt()).isEqualTo(MATH.replace("{input}", "Compute 2 + 2."));
    }

    @Test
    void unknownDestinationIsAnErrorNamingTheKnownOnes() {
        ScriptedChatModel llm = ScriptedChatModel.replying(routerAnswer("biology", "Why DNA?"));
        MultiPromptChain chain = MultiPromptChain.fromPrompts(llm, PROMPT_INFOS,
                new LlmChain(llm, ChatPromptTemplate.fromTemplate("{input}")));
        assertThatThrownBy(() -> chain.run("Why DNA?"))
                .isInstanceOf(UnknownDestinationException.class)
                .hasMessageContaining("chose destination 'biology'")
                .hasMessageContaining("[physics, math, History, computer science]")
                .hasMessageContaining("silentErrors(true)");
    }

    @Test
    void unknownDestinationGoesToTheDefaultChainWithSilentErrors() {
        ScriptedChatModel llm = ScriptedChatModel.replying(routerAnswer("biology", "Why DNA?"), "Because.");
        MultiPromptChain chain = MultiPromptChain.builder().llm(llm).promptInfos(PROMPT_INFOS)
                .silentErrors(true).build();
        assertThat(chain.run("Why DNA?")).isEqualTo("Because.");
        assertThat(llm.lastPrompt()).isEqualTo("Why DNA?");
    }

    @Test
    void malformedRouterOutputIsAnOutputParserExceptionQuotingIt() {
        ScriptedChatModel llm = ScriptedChatModel.replying("I would pick physics for this one.");
        MultiPromptChain chain = MultiPromptChain.fromPrompts(llm, PROMPT_INFOS);
        assertThatThrownBy(() -> chain.run("What is light?"))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining("I would pick physics for this one.");
    }

    @Test
    void routerOutputParserRules() {
        RouterOutputParser parser = new RouterOutputParser();
        Route route = parser.parse("Here:\n```json\n{\"destination\": \" default \", \"next_inputs\": \"hi\"}\n```");
        assertThat(route.isDefault()).isTrue();
        assertThat(route.nextInputs()).isEqualTo(Map.of("input", "hi"));
        assertThat(parser.parse("{\"destination\": \"math\", \"next_inputs\": \"2+2\"}"))
                .isEqualTo(new Route("math", Map.of("input", "2+2")));
        assertThatThrownBy(() -> parser.parse("```json\n{\"destination\": \"math\"}\n```"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("missing key(s) [next_inputs]");
        assertThatThrownBy(() -> parser.parse("{\"destination\": \"math\", \"next_inputs\": {\"a\": 1}}"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("\"next_inputs\" must be a string");
        assertThatThrownBy(() -> parser.parse("{\"destination\": 3, \"next_inputs\": \"x\"}"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("\"destination\" must be a non-empty string");
    }

    @Test
    void buildChecksDestinations() {
        ScriptedChatModel llm = ScriptedChatModel.replying();
        assertThatThrownBy(() -> MultiPromptChain.fromPrompts(llm,
                List.of(new PromptInfo("x", "d", "{question}"))))
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("prompt 'x' must read exactly the variable 'input'");
        assertThatThrownBy(() -> MultiPromptChain.fromPrompts(llm,
                List.of(new PromptInfo("x", "d", "{input}"), new PromptInfo("x", "e", "{input}"))))
                .hasMessageContaining("'x' is defined twice");
        assertThatThrownBy(() -> new PromptInfo("Default", "d", "{input}"))
                .hasMessageContaining("reserved for the default chain");
    }

    private static String text(ChatRequest request) {
        assertThat(request.messages()).hasSize(1);
        return ((UserMessage) request.messages().get(0)).singleText();
    }
}
