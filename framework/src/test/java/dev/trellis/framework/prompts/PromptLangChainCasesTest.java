package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LangChain's prompt tests (libs/core tests/unit_tests/prompts/test_prompt.py and test_chat.py),
 * case for case where Trellis has the feature, plus Python's format-spec behaviour for f-string
 * fields, checked against what {@code str.format} prints.
 */
class PromptLangChainCasesTest {

    @Test
    void promptValid() {
        PromptTemplate prompt = PromptTemplate.builder().template("This is a {foo} test.").inputVariables(List.of("foo")).build();
        assertThat(prompt.template()).isEqualTo("This is a {foo} test.");
        assertThat(prompt.inputVariables()).containsExactly("foo");
    }

    @Test
    void promptFromTemplate() {
        assertThat(PromptTemplate.fromTemplate("This is a {foo} test.").inputVariables()).containsExactly("foo");
        assertThat(PromptTemplate.fromTemplate("This {bar} is a {foo} test.").inputVariables()).containsExactly("bar", "foo");
        assertThat(PromptTemplate.fromTemplate("This {bar} is a {foo} test {foo}.").inputVariables()).containsExactly("bar", "foo");
    }

    @Test
    void promptFromTemplateWithPartialVariables() {
        PromptTemplate prompt = PromptTemplate.builder().template("This is a {foo} test {bar}.")
                .partialVariables(Map.of("bar", "baz")).build();
        assertThat(prompt.inputVariables()).containsExactly("foo");
        assertThat(prompt.partialVariables()).isEqualTo(Map.of("bar", "baz"));
    }

    /** LangChain only checks declared variables with validate_template=True; Trellis always checks. */
    @Test
    void promptWrongInputVariables() {
        assertThatThrownBy(() -> PromptTemplate.builder().template("This is a {foo} test.").inputVariables(List.of("bar")).build())
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("declared input variables [bar] but the template uses [foo]");
    }

    @Test
    void promptEmptyInputVariable() {
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("{}")).isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("empty field");
    }

    @Test
    void partialInitString() {
        PromptTemplate prompt = PromptTemplate.builder().template("This is a {foo} test.").partialVariables(Map.of("foo", 1)).build();
        assertThat(prompt.inputVariables()).isEmpty();
        assertThat(prompt.format(Map.of())).isEqualTo("This is a 1 test.");
    }

    @Test
    void partialInitFunc() {
        Supplier<Integer> two = () -> 2;
        PromptTemplate prompt = PromptTemplate.builder().template("This is a {foo} test.").partialVariables(Map.of("foo", two)).build();
        assertThat(prompt.format(Map.of())).isEqualTo("This is a 2 test.");
    }

    @Test
    void partial() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("This is a {foo} test.");
        assertThat(prompt.partial(Map.of("foo", "3")).format(Map.of())).isEqualTo("This is a 3 test.");
        assertThat(prompt.format(Map.of("foo", "foo"))).isEqualTo("This is a foo test.");
    }

    @Test
    void fStringAttributeAccessAndIndexingAreRefused() {
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("{msg.__class__}")).isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("attribute access or indexing");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("{items[0]}")).isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("attribute access or indexing");
    }

    // test_chat.py

    @Test
    void messagesPlaceholder() {
        ChatPromptTemplate required = ChatPromptTemplate.fromMessages(MessagesPlaceholder.of("history"));
        assertThatThrownBy(() -> required.formatMessages(Map.of())).isInstanceOf(MissingPromptVariableException.class);
        ChatPromptTemplate optional = ChatPromptTemplate.fromMessages(MessagesPlaceholder.optional("history"));
        assertThat(optional.formatMessages(Map.of())).isEmpty();
        List<ChatMessage> history = List.of(SystemMessage.from("You are an AI assistant."), UserMessage.from("Hello!"));
        assertThat(optional.formatMessages(Map.of("history", history))).isEqualTo(history);
    }

    @Test
    void messagesPlaceholderWithMax() {
        List<ChatMessage> history = List.of(AiMessage.from("1"), AiMessage.from("2"), AiMessage.from("3"));
        assertThat(ChatPromptTemplate.fromMessages(MessagesPlaceholder.of("history")).formatMessages(Map.of("history", history)))
                .isEqualTo(history);
        assertThat(ChatPromptTemplate.fromMessages(MessagesPlaceholder.of("history").withMaxMessages(2))
                .formatMessages(Map.of("history", history))).isEqualTo(history.subList(1, 3));
    }

    @Test
    void chatPromptMessagePlaceholderPartial() {
        ChatPromptTemplate prompt = ChatPromptTemplate.fromMessages(MessagesPlaceholder.of("history"))
                .partial(Map.of("history", List.of(SystemMessage.from("foo"))));
        assertThat(prompt.formatMessages(Map.of())).containsExactly(SystemMessage.from("foo"));
        assertThat(prompt.formatMessages(Map.of("history", List.of(SystemMessage.from("bar")))))
                .containsExactly(SystemMessage.from("bar"));

        ChatPromptTemplate optional = ChatPromptTemplate.fromMessages(MessagesPlaceholder.optional("history"));
        assertThat(optional.formatMessages(Map.of())).isEmpty();
        assertThat(optional.partial(Map.of("history", List.of(SystemMessage.from("foo")))).formatMessages(Map.of()))
                .containsExactly(SystemMessage.from("foo"));
    }

    @Test
    void optionalPlaceholderIsNotAnInputVariable() {
        ChatPromptTemplate prompt = ChatPromptTemplate.fromMessages(
                MessagePromptTemplate.system("You are a helpful assistant."),
                MessagesPlaceholder.optional("history"),
                MessagePromptTemplate.user("{input}"));
        assertThat(prompt.inputVariables()).containsExactly("input");
        assertThat(prompt.optionalVariables()).containsExactly("history");
    }

    @Test
    void chatValidWithPartialVariables() {
        ChatPromptTemplate prompt = ChatPromptTemplate.builder()
                .messages(MessagePromptTemplate.user("Do something with {question} using {context} giving it like {formatins}"))
                .partialVariables(Map.of("formatins", "some structure")).build();
        assertThat(prompt.inputVariables()).containsExactlyInAnyOrder("question", "context");
        assertThat(prompt.partialVariables()).isEqualTo(Map.of("formatins", "some structure"));
    }

    @Test
    void chatValidInferVariables() {
        ChatPromptTemplate prompt = ChatPromptTemplate.builder()
                .messages(MessagePromptTemplate.user("Do something with {question} using {context} giving it like {formatins}"))
                .partialVariables(Map.of("formatins", "some structure")).build();
        assertThat(prompt.inputVariables()).containsExactly("question", "context");
    }

    // f-string format specs, as Python's str.format prints them

    @ParameterizedTest(name = "{0} with {1} -> [{2}]")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{x:.2f}      | 3.14159     | 3.14",
            "{x:.2f}      | 2.675       | 2.67",
            "{x:.2f}      | 0.125       | 0.12",
            "{x:.0f}      | 2.5         | 2",
            "{x:,}        | 1234567     | 1,234,567",
            "{x:_}        | 1234567     | 1_234_567",
            "{x:,.2f}     | 1234567.891 | 1,234,567.89",
            "{x:,}        | 1234.5      | 1,234.5",
            "{x:.1%}      | 0.256       | 25.6%",
            "{x:08.3f}    | -3.14159    | -003.142",
            "{x:+d}       | 5           | +5",
            "{x:#x}       | 255         | 0xff",
            "{x:08b}      | 5           | 00000101",
            "{x:X}        | 255         | FF",
            "{x:.2e}      | 12345.678   | 1.23e+04",
            "{x:g}        | 0.00001234  | 1.234e-05",
            "{x:g}        | 123456789.0 | 1.23457e+08",
            "{x:g}        | 0.5         | 0.5",
            "{x:.3}       | 2.0         | 2.0",
            "{x:.3}       | 123.0       | 1.23e+02",
            "{x:>8}       | 1.5         | `     1.5`",
            "`{x:<6}|`    | 42          | `42    |`",
            "{x:^7}       | 42          | `  42   `",
            "{x:*^7}      | ab          | **ab***",
            "{x:>5}       | ab          | `   ab`",
            "{x:.3}       | abcdef      | abc",
            "{x!r}        | hi          | 'hi'",
            "{x:}         | plain       | plain",
    })
    void formatSpecs(String template, String raw, String expected) {
        Object value = raw.matches("-?\\d+") ? (Object) Long.valueOf(raw)
                : raw.matches("-?[\\d.]+(e-?\\d+)?") ? (Object) Double.valueOf(raw) : raw;
        assertThat(PromptTemplate.fromTemplate(template).format(Map.of("x", value))).isEqualTo(expected);
    }

    @Test
    void formatSpecsWorkWithBigDecimalIntegerAndFloat() {
        PromptTemplate prompt = PromptTemplate.fromTemplate("Total: {price:.2f} for {count:03d} items at {rate:.1f}");
        assertThat(prompt.inputVariables()).containsExactly("price", "count", "rate");
        Map<String, Object> values = new HashMap<>();
        values.put("price", new BigDecimal("19.995"));
        values.put("count", 7);
        values.put("rate", 0.25f);
        assertThat(prompt.format(values)).isEqualTo("Total: 20.00 for 007 items at 0.2");
    }

    @Test
    void formatSpecOnAPartialSupplierAndInAChatMessage() {
        Supplier<Double> price = () -> 9.5;
        ChatPromptTemplate prompt = ChatPromptTemplate.fromTemplate("It costs {price:.2f} {currency:>4}")
                .partial(Map.of("price", price));
        assertThat(prompt.formatMessages(Map.of("currency", "EUR"))).containsExactly(UserMessage.from("It costs 9.50  EUR"));
    }

    @Test
    void aNumberSpecOnTextNamesTheVariable() {
        PromptTemplate prompt = PromptTemplate.builder().name("quote").template("Price: {price:.2f}").build();
        assertThatThrownBy(() -> prompt.format(Map.of("price", "12.5")))
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("prompt 'quote': variable 'price'")
                .hasMessageContaining("needs a number, but the value is a String '12.5'");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("{n:d}").format(Map.of("n", 1.5)))
                .hasMessageContaining("needs an integer");
    }

    @Test
    void aBadSpecFailsWhenTheTemplateIsBuilt() {
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("Price: {price:.2q}"))
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("unknown type 'q'");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("Price: {price!x}"))
                .isInstanceOf(PromptTemplateException.class)
                .hasMessageContaining("use !r, !s or !a");
        assertThatThrownBy(() -> PromptTemplate.fromTemplate("Price: {price:{width}}"))
                .isInstanceOf(PromptTemplateException.class);
    }
}
