package dev.trellis.framework.eval;

import dev.trellis.framework.parsers.JsonMarkdown;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.parsers.OutputParserException;

import java.util.Map;

/**
 * Reads the {@code {"query": ..., "answer": ...}} object a {@link QAGenerateChain} asks for, from
 * a bare answer or a markdown code block, with prose around it or not. {@code "question"} is
 * accepted for {@code "query"}, since models often rename it. Anything else is an
 * {@link OutputParserException} that quotes the model's text.
 */
public final class QAGenerationParser implements OutputParser<QAExample> {

    public static final QAGenerationParser INSTANCE = new QAGenerationParser();

    private QAGenerationParser() {
    }

    @Override
    public QAExample parse(String text) {
        Map<String, Object> json = JsonMarkdown.parse(text);
        Object query = json.containsKey(QAExample.QUERY_KEY) ? json.get(QAExample.QUERY_KEY) : json.get("question");
        Object answer = json.get(QAExample.ANSWER_KEY);
        return new QAExample(field(query, "query", json, text), field(answer, "answer", json, text));
    }

    private static String field(Object value, String key, Map<String, Object> json, String text) {
        if (value == null) {
            throw new OutputParserException("the JSON object has no non-null \"" + key + "\"; keys found: "
                    + json.keySet() + " (expected \"query\" and \"answer\")", text);
        }
        if (value instanceof Map || value instanceof Iterable) {
            throw new OutputParserException("\"" + key + "\" must be a string but is a JSON "
                    + (value instanceof Map ? "object" : "array"), text);
        }
        String s = String.valueOf(value).strip(); // numbers and booleans become their text
        if (s.isEmpty()) {
            throw new OutputParserException("\"" + key + "\" is empty", text);
        }
        return s;
    }

    @Override
    public String formatInstructions() {
        return "Reply with a single JSON object and nothing else, in this format:\n"
                + "{\"query\": \"the question\", \"answer\": \"the answer\"}";
    }
}
