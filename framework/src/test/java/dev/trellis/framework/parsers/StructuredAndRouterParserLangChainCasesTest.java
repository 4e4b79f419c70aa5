package dev.trellis.framework.parsers;

import dev.trellis.framework.chains.router.Route;
import dev.trellis.framework.chains.router.RouterOutputParser;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LangChain's test_structured_parser.py case for case, and the router parser on the JSON shapes
 * LangChain's partial-JSON reading accepts (a fence inside a value, a reply cut short).
 */
class StructuredAndRouterParserLangChainCasesTest {

    @Test
    void parse() {
        StructuredOutputParser parser = StructuredOutputParser.fromResponseSchemas(
                new ResponseSchema("name", "desc"), new ResponseSchema("age", "desc"));
        assertThat(parser.parse("```json\n{\"name\": \"John\", \"age\": 30}\n```"))
                .isEqualTo(Map.of("name", "John", "age", 30));
        assertThatThrownBy(() -> parser.parse("```json\n{\"name\": \"John\"}\n```"))
                .isInstanceOf(OutputParserException.class);
    }

    @Test
    void structuredParserReadsAValueHoldingAFenceAndAReplyCutShort() {
        StructuredOutputParser parser = StructuredOutputParser.fromResponseSchemas(
                new ResponseSchema("code", "a snippet"), new ResponseSchema("language", "its language"));
        assertThat(parser.parse("```json\n{\"code\": \"```java\\nint x = 1;\\n```\", \"language\": \"Java\"}\n```"))
                .isEqualTo(Map.of("code", "```java\nint x = 1;\n```", "language", "Java"));
        assertThat(parser.parse("```json\n{\"code\": \"x = 1\", \"language\": \"Python"))
                .isEqualTo(Map.of("code", "x = 1", "language", "Python"));
    }

    @Test
    void routerReadsAFencedValueAndATruncatedReply() {
        RouterOutputParser parser = new RouterOutputParser();
        Route fenced = parser.parse("```json\n{\n    \"destination\": \"computer science\",\n"
                + "    \"next_inputs\": \"What does ```print(1)``` print?\"\n}\n```");
        assertThat(fenced.destination()).isEqualTo("computer science");
        assertThat(fenced.nextInputs()).isEqualTo(Map.of("input", "What does ```print(1)``` print?"));

        Route truncated = parser.parse("```json\n{\n    \"destination\": \"physics\",\n    \"next_inputs\": \"What is black body radiation?\"");
        assertThat(truncated.destination()).isEqualTo("physics");
        assertThat(truncated.nextInputs()).isEqualTo(Map.of("input", "What is black body radiation?"));

        assertThat(parser.parse("```json\n{\"destination\": \"DEFAULT\", \"next_inputs\": \"hi\"}\n```\nHope this helps!")
                .destination()).isEqualTo(Route.DEFAULT);
    }
}
