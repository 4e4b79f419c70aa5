package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.framework.chains.router.RouterPrompts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptTemplateTest {

    @Test
    void formatsVariablesInOrderOfFirstAppearance() {
        PromptTemplate prompt = PromptTemplate.fromTemplate(
                "Summary: {summary}\n\nLanguage: {language}\n\nAgain: {summary}");
        assertThat(prompt.inputVariables()).containsExactly("summary", "language");
        assertThat(prompt.format(Map.of("summary", "Good sheets.", "language", "French")))
                .isEqualTo("Summary: Good sheets.\n\nLanguage: French\n\nAgain: Good sheets.");
    }

    @Test
    void doubledBracesAreLiteralBracesAsInPythonStrFormat() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("JSON like {{\"a\": {value}}} and {{{{x}}}} and {{{v}}}");
        assertThat(prompt.inputVariables()).containsExactly("value", "v");
        assertThat(prompt.format(Map.of("value", 1, "v", "w")))
                .isEqualTo("JSON like {\"a\": 1} and {{x}} and {w}");
    }

    @Test
    void routerTemplateWorksUnchangedThroughBothFormattingPasses() {
        PromptTemplate first = PromptTemplate.fromTemplate(RouterPrompts.MULTI_PROMPT_ROUTER_TEMPLATE);
        assertThat(first.inputVariables()).containsExactly("destinations");
        String routerTemplate = first.format(Map.of("destinations", "physics: Good for physics"));
        assertThat(routerTemplate).contains("{{\n").contains("{input}").contains("physics: Good for physics");

        PromptTemplate router = PromptTemplate.fromTemplate(routerTemplate);
        assertThat(router.inputVariables()).containsExactly("input");
        String text = router.format(Map.of("input", "What is 2 + 2?"));
        assertThat(text).contains("```json\n{\n    \"destination\": string")
                .contains("\n}\n```").contains("<< INPUT >>\nWhat is 2 + 2?").doesNotContain("{{");
    }

    @Test
    void missingVariableNamesTheTemplateAndTheGivenVariables() {
        PromptTemplate prompt = PromptTemplate.builder().name("name_company")
                .template("What is the best name for a company that makes {product}?").build();
        assertThatThrownBy(() -> prompt.format(Map.of("Review", "great")))
                .isInstanceOf(MissingPromptVariableException.class)
                .hasMessageContaining("prompt 'name_company' needs variable 'product'; given: [Review]")
                .satisfies(e -> assertThat(((MissingPromptVariableException) e).variable()).isEqualTo("product"));
    }

    @Test
    void unnamedTemplatesAreNamedByTheirText() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("Tell me about {topic}");
        assertThatThrownBy(() -> prompt.format(Map.of()))
                .hasMessageContaining("prompt 'Tell me about {topic}' needs variable 'topic'; given: []");
    }

    @Test
    void unbalancedBracesFailAtConstructionWithThePosition() {
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("a JSON {\"key\": 1} example"))
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("field '{\"key\"")
                .hasMessageContaining("'{{'");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("oops } here"))
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("single '}' closes nothing at position 5")
                .hasMessageContaining("write '}}'");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("never {closed"))
                .hasMessageContaining("'{' is never closed at position 6");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("nested {a{b}}"))
                .hasMessageContaining("contains another '{' at position 7");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("positional {}"))
                .hasMessageContaining("empty field");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("attribute {x.y}"))
                .hasMessageContaining("attribute access or indexing");
    }

    @Test
    void partialVariablesLeaveInputVariablesAndMayBeSuppliers() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("{greeting}, {name}! Today is {day}.");
        Supplier<String> day = () -> "Monday";
        PromptTemplate partial = prompt.partial(Map.of("greeting", "Hello", "day", day));
        assertThat(partial.inputVariables()).containsExactly("name");
        assertThat(prompt.inputVariables()).containsExactly("greeting", "name", "day");
        assertThat(partial.format(Map.of("name", "Ada"))).isEqualTo("Hello, Ada! Today is Monday.");
        assertThat(partial.format(Map.of("name", "Ada", "greeting", "Hi"))).isEqualTo("Hi, Ada! Today is Monday.");
        assertThatThrownBy(() -> prompt.partial(Map.of("nope", 1)))
                .isInstanceOf(PromptTemplateException.class).hasMessageContaining("'nope' is not used");
    }

    @Test
    void declaredInputVariablesMustMatch() {
        assertThatThrownBy(() -> PromptTemplate.builder().template("{a} {b}").inputVariables(List.of("a")).build())
                .hasMessageContaining("declared input variables [a] but the template uses [a, b]");
    }

    @Test
    void promptTemplateFormatsToOneUserMessage() {
        List<ChatMessage> messages = PromptTemplate.fromTemplate("Hi {x}").formatMessages(Map.of("x", "there"));
        assertThat(messages).containsExactly(UserMessage.from("Hi there"));
    }

    @Test
    void chatPromptTemplateWithSystemUserAiAndPlaceholder() {
        ChatPromptTemplate prompt = ChatPromptTemplate.builder().name("chat").messages(
                MessagePromptTemplate.system("You speak {style}."),
                MessagesPlaceholder.of("history"),
                MessagePromptTemplate.ai("Ready."),
                MessagePromptTemplate.user("{input}")).build();
        assertThat(prompt.inputVariables()).containsExactly("style", "history", "input");
        List<ChatMessage> history = List.of(UserMessage.from("Hi"), AiMessage.from("Hello!"));
        assertThat(prompt.formatMessages(Map.of("style", "briefly", "history", history, "input", "And now?")))
                .containsExactly(SystemMessage.from("You speak briefly."), UserMessage.from("Hi"),
                        AiMessage.from("Hello!"), AiMessage.from("Ready."), UserMessage.from("And now?"));

        assertThat(prompt.format(Map.of("style", "briefly", "history", history, "input", "And now?")))
                .isEqualTo("System: You speak briefly.\nHuman: Hi\nAI: Hello!\nAI: Ready.\nHuman: And now?");
        assertThatThrownBy(() -> prompt.formatMessages(Map.of("style", "x", "input", "y")))
                .isInstanceOf(MissingPromptVariableException.class)
                .hasMessageContaining("prompt 'chat' needs variable 'history'");
        assertThatThrownBy(() -> prompt.formatMessages(Map.of("style", "x", "history", "text", "input", "y")))
                .hasMessageContaining("must be a List<ChatMessage>");
        assertThatThrownBy(() -> prompt.formatMessages(Map.of("history", history, "input", "y")))
                .hasMessageContaining("prompt 'chat' needs variable 'style'");
    }

    @Test
    void chatPromptFromTemplateIsOneUserMessageAndSupportsPartials() {
        ChatPromptTemplate prompt = ChatPromptTemplate.fromTemplate("Translate to {lang}:\n\n{text}")
                .partial(Map.of("lang", "English"));
        assertThat(prompt.inputVariables()).containsExactly("text");
        assertThat(prompt.formatMessages(Map.of("text", "Bonjour")))
                .containsExactly(UserMessage.from("Translate to English:\n\nBonjour"));
    }

    @Test
    void optionalPlaceholderFormatsToNothing() {
        ChatPromptTemplate prompt = ChatPromptTemplate.fromMessages(
                MessagesPlaceholder.optional("history"), MessagePromptTemplate.user("{input}"));
        assertThat(prompt.formatMessages(Map.of("input", "hi"))).containsExactly(UserMessage.from("hi"));
    }

    @Test
    void messageListsInAStringPromptBecomeATranscript() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("{history}");
        assertThat(prompt.format(Map.of("history", List.of(UserMessage.from("Hi"), AiMessage.from("Hello")))))
                .isEqualTo("Human: Hi\nAI: Hello");
    }
}
