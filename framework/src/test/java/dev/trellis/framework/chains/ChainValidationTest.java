package dev.trellis.framework.chains;

import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.parsers.ResponseSchema;
import dev.trellis.framework.parsers.StructuredOutputParser;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChainValidationTest {

    private final ScriptedChatModel llm = ScriptedChatModel.answering(m -> "ok");

    private LlmChain chain(String template, String outputKey) {
        return LlmChain.builder().llm(llm).prompt(ChatPromptTemplate.fromTemplate(template)).outputKey(outputKey).build();
    }

    @Test
    void sequentialChainRejectsAVariableNobodyProduces() {
        assertThatThrownBy(() -> SequentialChain.builder()
                .chains(chain("{Review}", "English_Review"), chain("{summary} {language}", "followup_message"))
                .inputVariables("Review").build())
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("step 2")
                .hasMessageContaining("needs variable 'summary'")
                .hasMessageContaining("available at that point: [Review, English_Review]");
    }

    @Test
    void sequentialChainRejectsAVariableProducedOnlyLater() {
        assertThatThrownBy(() -> SequentialChain.builder()
                .chains(chain("{English_Review}", "summary"), chain("{Review}", "English_Review"))
                .inputVariables("Review").build())
                .hasMessageContaining("step 1").hasMessageContaining("needs variable 'English_Review'");
    }

    @Test
    void sequentialChainRejectsAnOutputNobodyProduces() {
        assertThatThrownBy(() -> SequentialChain.builder()
                .chains(chain("{Review}", "English_Review"))
                .inputVariables("Review").outputVariables("English_Review", "summary").build())
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("output variable 'summary' is not produced by any chain")
                .hasMessageContaining("[English_Review]");
    }

    @Test
    void sequentialChainRejectsTwoProducersOfOneVariable() {
        assertThatThrownBy(() -> SequentialChain.builder()
                .chains(chain("{Review}", "summary"), chain("{Review}", "summary"))
                .inputVariables("Review").build())
                .hasMessageContaining("step 2").hasMessageContaining("produces 'summary', which is already produced");
    }

    @Test
    void sequentialChainDefaultsToTheLastOutputsOrAll() {
        SequentialChain last = SequentialChain.builder().chains(chain("{a}", "b"), chain("{b}", "c"))
                .inputVariables("a").build();
        assertThat(last.outputKeys()).containsExactly("c");
        SequentialChain all = SequentialChain.builder().chains(chain("{a}", "b"), chain("{b}", "c"))
                .inputVariables("a").returnAll(true).build();
        assertThat(all.outputKeys()).containsExactly("b", "c");
        assertThat(all.call(Map.of("a", "x"))).containsEntry("b", "ok").containsEntry("c", "ok");
    }

    @Test
    void simpleSequentialChainRejectsMultiInputSteps() {
        assertThatThrownBy(() -> new SimpleSequentialChain(chain("{a}", "b"), chain("{x} {y}", "z")))
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("step 2")
                .hasMessageContaining("exactly one input and one output key, but has inputs [x, y]");
    }

    @Test
    void missingInputNamesTheChainAndTheKeys() {
        LlmChain named = LlmChain.builder().name("name_company").llm(llm)
                .prompt(ChatPromptTemplate.fromTemplate("{product} by {brand}")).build();
        assertThatThrownBy(() -> named.call(Map.of("Review", "x")))
                .isInstanceOf(ChainInputException.class)
                .hasMessageContaining("chain 'name_company' is missing input key(s) [product, brand]")
                .hasMessageContaining("given: [Review]");
        assertThatThrownBy(() -> named.run("x"))
                .hasMessageContaining("exactly one input and one output key");
    }

    @Test
    void outputKeyMustNotShadowAnInput() {
        assertThatThrownBy(() -> chain("{text}", "text"))
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("output key 'text'");
    }

    @Test
    void llmChainWithAStructuredOutputParserReturnsTheParsedMap() {
        StructuredOutputParser parser = StructuredOutputParser.fromResponseSchemas(
                new ResponseSchema("gift", "bought as a gift?"), new ResponseSchema("delivery_days", "days"));
        ScriptedChatModel model = ScriptedChatModel.replying("```json\n{\"gift\": true, \"delivery_days\": 2}\n```");
        PromptTemplate prompt = PromptTemplate.fromTemplate("Review: {review}\n\n{format_instructions}")
                .partial(Map.of("format_instructions", parser.formatInstructions()));
        LlmChain extract = LlmChain.builder().llm(model).prompt(prompt).outputParser(parser).build();

        Object parsed = extract.predictAndParse(Map.of("review", "Arrived in two days; a present for my wife."));
        assertThat(parsed).isEqualTo(Map.of("gift", true, "delivery_days", 2));
        assertThat(model.lastPrompt()).startsWith("Review: Arrived in two days; a present for my wife.\n\n")
                .endsWith(parser.formatInstructions());
    }

    @Test
    void applyRunsEachInput() {
        LlmChain echo = LlmChain.builder().llm(ScriptedChatModel.answering(m -> "seen")).prompt(
                PromptTemplate.fromTemplate("{q}")).build();
        assertThat(echo.apply(List.of(Map.of("q", "1"), Map.of("q", "2"))))
                .extracting(m -> m.get("text")).containsExactly("seen", "seen");
    }
}
