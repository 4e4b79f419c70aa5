package dev.trellis.framework.parsers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LangChain's own cases for {@code parse_json_markdown} and {@code parse_partial_json}
 * (libs/core tests/unit_tests/output_parsers/test_json.py), case for case.
 */
class JsonMarkdownLangChainCasesTest {

    static final String GOOD_JSON = "```json\n{\n    \"foo\": \"bar\"\n}\n```";
    static final String JSON_WITH_NEW_LINES = "\n\n```json\n{\n    \"foo\": \"bar\"\n}\n```\n\n";
    static final String JSON_WITH_NEW_LINES_INSIDE = "```json\n{\n\n    \"foo\": \"bar\"\n\n}\n```";
    static final String JSON_WITH_NEW_LINES_EVERYWHERE = "\n\n```json\n\n{\n\n    \"foo\": \"bar\"\n\n}\n\n```\n\n";
    static final String TICKS_WITH_NEW_LINES_EVERYWHERE = "\n\n```\n\n{\n\n    \"foo\": \"bar\"\n\n}\n\n```\n\n";
    static final String NO_TICKS = "{\n    \"foo\": \"bar\"\n}";
    static final String NO_TICKS_WHITE_SPACE = "\n{\n    \"foo\": \"bar\"\n}\n";
    static final String TEXT_BEFORE = "Thought: I need to use the search tool\n\nAction:\n```\n{\n  \"foo\": \"bar\"\n}\n```";
    static final String TEXT_AFTER = "```\n{\n  \"foo\": \"bar\"\n}\n```\nThis should do the trick";
    static final String TEXT_BEFORE_AND_AFTER = "Action: Testing\n\n```\n{\n  \"foo\": \"bar\"\n}\n```\nThis should do the trick";
    static final String WITHOUT_END_BRACKET = "Here is a response formatted as schema:\n\n```json\n{\n  \"foo\": \"bar\"\n\n\n";
    static final String WITH_END_BRACKET = "Here is a response formatted as schema:\n\n```json\n{\n  \"foo\": \"bar\"\n}\n\n";
    static final String WITH_END_TICK = "Here is a response formatted as schema:\n\n```json\n{\n  \"foo\": \"bar\"\n}\n```\n";
    static final String WITH_END_TEXT = "Here is a response formatted as schema:\n\n```\n{\n  \"foo\": \"bar\"\n\n```\nThis should do the trick\n";

    static Stream<String> testCases() {
        return Stream.of(GOOD_JSON, JSON_WITH_NEW_LINES, JSON_WITH_NEW_LINES_INSIDE, JSON_WITH_NEW_LINES_EVERYWHERE,
                TICKS_WITH_NEW_LINES_EVERYWHERE, NO_TICKS, NO_TICKS_WHITE_SPACE, TEXT_BEFORE, TEXT_AFTER,
                TEXT_BEFORE_AND_AFTER, WITHOUT_END_BRACKET, WITH_END_BRACKET, WITH_END_TICK, WITH_END_TEXT);
    }

    @ParameterizedTest
    @MethodSource("testCases")
    void parseJson(String text) {
        assertThat(JsonMarkdown.parse(text)).isEqualTo(Map.of("foo", "bar"));
    }

    @Test
    void parseJsonWithCodeBlocks() {
        assertThat(JsonMarkdown.parse("```json\n{\n    \"foo\": \"```bar```\"\n}\n```"))
                .isEqualTo(Map.of("foo", "```bar```"));
    }

    @Test
    void parseJsonWithPartCodeBlocks() {
        assertThat(JsonMarkdown.parse("\n{\"valid_json\": \"hey ```print(hello world!)``` hey\"}\n"))
                .isEqualTo(Map.of("valid_json", "hey ```print(hello world!)``` hey"));
    }

    @Test
    void parseJsonWithCodeBlocksAndNewlines() {
        String text = "```json\n{\n    \"action\": \"Final Answer\",\n    \"action_input\": "
                + "\"```bar\n<div id=\\\"1\\\" class=\\\"value\\\">\n\ttext\n</div>```\"\n}\n```";
        assertThat(JsonMarkdown.parse(text)).isEqualTo(Map.of("action", "Final Answer",
                "action_input", "```bar\n<div id=\"1\" class=\"value\">\n\ttext\n</div>```"));
    }

    @Test
    void parseNonDictJsonOutput() {
        assertThatThrownBy(() -> JsonMarkdown.parseAndCheck("```json\n1\n```", List.of("foo")))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining("expected a JSON object but found Integer 1");
    }

    @Test
    void parseNestedJsonWithEscapedQuotes() {
        String text = "```json\n{\n    \"action\": \"Final Answer\",\n    \"action_input\": "
                + "\"{\\\"foo\\\": \\\"bar\\\", \\\"bar\\\": \\\"foo\\\"}\"\n}\n```";
        assertThat(JsonMarkdown.parse(text)).isEqualTo(Map.of("action", "Final Answer",
                "action_input", "{\"foo\": \"bar\", \"bar\": \"foo\"}"));
    }

    @Test
    void parseJsonWithPythonDict() {
        String text = "```json\n{\n    \"action\": \"Final Answer\",\n    \"action_input\": {\"foo\": \"bar\", \"bar\": \"foo\"}\n}\n```";
        assertThat(JsonMarkdown.parse(text)).isEqualTo(Map.of("action", "Final Answer",
                "action_input", Map.of("foo", "bar", "bar", "foo")));
    }

    static Stream<Arguments> partialCases() {
        return Stream.of(
                Arguments.of("{\"foo\": \"bar\", \"bar\": \"foo\"}", "{\"foo\": \"bar\", \"bar\": \"foo\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\": \"foo", "{\"foo\": \"bar\", \"bar\": \"foo\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\": \"foo}", "{\"foo\": \"bar\", \"bar\": \"foo}\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\": \"foo[", "{\"foo\": \"bar\", \"bar\": \"foo[\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\": \"foo\\\"", "{\"foo\": \"bar\", \"bar\": \"foo\\\"\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\":", "{\"foo\": \"bar\"}"),
                Arguments.of("{\"foo\": \"bar\", \"bar\"", "{\"foo\": \"bar\"}"),
                Arguments.of("{\"foo\": \"bar\", ", "{\"foo\": \"bar\"}"),
                Arguments.of("{\"foo\":\"bar\\", "{\"foo\": \"bar\"}"));
    }

    @ParameterizedTest
    @MethodSource("partialCases")
    void parsePartialJson(String text, String expectedJson) {
        Object expected = JsonMarkdown.parsePartial(expectedJson).orElseThrow();
        assertThat(JsonMarkdown.parsePartial(text)).contains(expected);
    }

    @Test
    void mismatchedClosingBracketIsNoValue() {
        assertThat(JsonMarkdown.parsePartial("{\"a\": [1}")).isEmpty();
    }

    /** test_partial_text_json_output_parser: each streamed prefix parses to the values seen so far. */
    @Test
    void streamedPrefixesParseToTheValuesSoFar() {
        String[] tokens = ("\n{\n\n \"\nsetup\n\":\n \"\nWhy\n did\n the\n bears\n start\n a\n band\n called\n Bears\n"
                + " Bears\n Bears\n ?\n\"\n,\n \"\npunchline\n\":\n \"\nBecause\n they\n wanted\n to\n play\n bear\n -y\n"
                + " good\n music\n !\n\"\n,\n \"\naudience\n\":\n [\n\"\nHaha\n\"\n,\n \"\nSo\n funny\n\"\n]\n\n}\n").split("\n", -1);
        List<Object> seen = streamed(tokens);
        String setup = "Why did the bears start a band called Bears Bears Bears ?";
        String punchline = "Because they wanted to play bear -y good music !";
        assertThat(seen).hasSize(31);
        assertThat(seen.get(0)).isEqualTo(Map.of());
        assertThat(seen.get(1)).isEqualTo(Map.of("setup", ""));
        assertThat(seen.get(2)).isEqualTo(Map.of("setup", "Why"));
        assertThat(seen.get(13)).isEqualTo(Map.of("setup", setup));
        assertThat(seen.get(14)).isEqualTo(Map.of("setup", setup, "punchline", ""));
        assertThat(seen.get(24)).isEqualTo(Map.of("setup", setup, "punchline", punchline));
        assertThat(seen.get(25)).isEqualTo(Map.of("setup", setup, "punchline", punchline, "audience", List.of()));
        assertThat(seen.get(26)).isEqualTo(Map.of("setup", setup, "punchline", punchline, "audience", List.of("")));
        assertThat(seen.get(30)).isEqualTo(Map.of("setup", setup, "punchline", punchline,
                "audience", List.of("Haha", "So funny")));
    }

    /** test_partial_text_json_output_parser_with_json_code_block. */
    @Test
    void streamedJsonCodeBlockWithProseAround() {
        String[] tokens = {" France", ":", "\n\n```", "json", "\n{", "\n ", " \"", "country", "_", "name", "\":",
                " \"", "France", "\",", " \n ", " \"", "population", "_", "size", "\":", " 67", "39", "15", "82",
                "\n}", "\n```", "\n\nI", " looked", " up"};
        List<Object> seen = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String token : tokens) {
            text.append(token);
            try {
                Object value = JsonMarkdown.parse(text.toString());
                if (seen.isEmpty() || !Objects.equals(seen.get(seen.size() - 1), value)) {
                    seen.add(value);
                }
            } catch (OutputParserException notYet) {
                // LangChain's streaming parser skips what does not parse yet
            }
        }
        assertThat(seen).containsExactly(Map.of(), Map.of("country_name", ""), Map.of("country_name", "France"),
                Map.of("country_name", "France", "population_size", 67),
                Map.of("country_name", "France", "population_size", 6739),
                Map.of("country_name", "France", "population_size", 673915),
                Map.of("country_name", "France", "population_size", 67391582));
    }

    @Test
    void raisesError() {
        assertThatThrownBy(() -> JsonMarkdown.parse("hi")).isInstanceOf(OutputParserException.class);
    }

    @Test
    void longTrailingProseIsCutQuickly() {
        String text = "```json\n{\"a\": 1}\n```\n" + "blah ".repeat(20_000);
        assertThat(JsonMarkdown.parse(text)).isEqualTo(Map.of("a", 1));
    }

    private static List<Object> streamed(String[] tokens) {
        List<Object> seen = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String token : tokens) {
            text.append(token);
            Optional<Object> value;
            try {
                value = JsonMarkdown.parsePartial(text.toString().strip());
            } catch (OutputParserException notYet) {
                continue;
            }
            if (value.isPresent() && (seen.isEmpty() || !Objects.equals(seen.get(seen.size() - 1), value.get()))) {
                seen.add(value.get());
            }
        }
        return seen;
    }
}
