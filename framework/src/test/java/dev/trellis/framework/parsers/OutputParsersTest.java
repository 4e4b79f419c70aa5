package dev.trellis.framework.parsers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputParsersTest {

    @Test
    void jsonMarkdownReadsAFencedBlockWithProseAround() {
        String text = "Sure! Here it is:\n```json\n{\n  \"a\": \"x\",\n  \"b\": [1, 2],\n}\n```\nAnything else?";
        assertThat(JsonMarkdown.parse(text)).containsEntry("a", "x").containsEntry("b", List.of(1, 2));
    }

    @Test
    void jsonMarkdownReadsABareObjectAndRawNewlinesInStrings() {
        assertThat(JsonMarkdown.parse("{\"a\": \"line one\nline two\"}")).containsEntry("a", "line one\nline two");
        assertThat(JsonMarkdown.parse("```\n{\"a\": true}\n```")).containsEntry("a", true);
    }

    @Test
    void jsonMarkdownFailuresQuoteTheText() {
        assertThatThrownBy(() -> JsonMarkdown.parse("I think physics."))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining("no JSON object")
                .hasMessageContaining("I think physics.")
                .satisfies(e -> assertThat(((OutputParserException) e).llmOutput()).isEqualTo("I think physics."));
        assertThatThrownBy(() -> JsonMarkdown.parse("```json\n{\"a\": }\n```"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("could not parse");
        assertThatThrownBy(() -> JsonMarkdown.parseAndCheck("{\"a\": 1}", List.of("a", "b")))
                .hasMessageContaining("missing key(s) [b]");
    }

    @Test
    void structuredOutputParserInstructionsAndParsing() {
        StructuredOutputParser parser = StructuredOutputParser.fromResponseSchemas(
                new ResponseSchema("gift", "Was the item bought as a gift? true or false"),
                new ResponseSchema("delivery_days", "How many days did delivery take? -1 if unknown", "integer"),
                new ResponseSchema("price_value", "Sentences about value or price, as a list", "list"));
        String instructions = parser.formatInstructions();
        assertThat(instructions).contains("```json")
                .contains("\t\"gift\": string  // Was the item bought as a gift? true or false,\n")
                .contains("\t\"delivery_days\": integer  // How many days")
                .contains("\t\"price_value\": list  // Sentences about value or price, as a list\n}\n```");

        Map<String, Object> parsed = parser.parse("```json\n{\"price_value\": [\"cheap\"], \"gift\": true, "
                + "\"delivery_days\": 2}\n```");
        assertThat(parsed.keySet()).containsExactly("gift", "delivery_days", "price_value");
        assertThat(parsed).containsEntry("gift", true).containsEntry("delivery_days", 2)
                .containsEntry("price_value", List.of("cheap"));

        assertThatThrownBy(() -> parser.parse("{\"gift\": true}"))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining("missing key(s) [delivery_days, price_value]");
    }

    @Test
    void duplicateFieldsAreRejected() {
        assertThatThrownBy(() -> StructuredOutputParser.fromResponseSchemas(
                new ResponseSchema("a", "x"), new ResponseSchema("a", "y")))
                .hasMessageContaining("'a' is declared twice");
    }
}
