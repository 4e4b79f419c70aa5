package dev.trellis.framework.eval;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code {"query": ..., "answer": ...}} object a {@link QAGenerateChain} asks for, from
 * a bare answer or a markdown code block, with prose around it or not. {@code "question"} is
 * accepted for {@code "query"}, since models often rename it. Anything else is a
 * {@link QAOutputException} that quotes the model's text.
 */
public final class QAGenerationParser {

    public static final QAGenerationParser INSTANCE = new QAGenerationParser();

    private static final Pattern FENCE = Pattern.compile("```(?:json|JSON)?[ \\t]*\\r?\\n?(.*?)```", Pattern.DOTALL);
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private QAGenerationParser() {
    }

    public QAExample parse(String text) {
        if (text == null || text.isBlank()) {
            throw new QAOutputException("expected a JSON object with \"query\" and \"answer\" but the answer is empty",
                    String.valueOf(text));
        }
        Map<String, Object> json = readObject(text);
        Object query = json.containsKey(QAExample.QUERY_KEY) ? json.get(QAExample.QUERY_KEY) : json.get("question");
        Object answer = json.get(QAExample.ANSWER_KEY);
        return new QAExample(field(query, "query", json, text), field(answer, "answer", json, text));
    }

    // the first fenced block if there is one, else the text; then its outermost braces
    private static Map<String, Object> readObject(String text) {
        Matcher fence = FENCE.matcher(text);
        String candidate = fence.find() ? fence.group(1) : text;
        int open = candidate.indexOf('{');
        int close = candidate.lastIndexOf('}');
        if (open < 0 || close < open) {
            throw new QAOutputException("no JSON object (no '{...}') found", text);
        }
        try {
            Map<String, Object> value = MAPPER.readValue(MAPPER.createParser(candidate.substring(open, close + 1)), MAP);
            if (value == null) {
                throw new QAOutputException("expected a JSON object but found null", text);
            }
            return value;
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            int nl = message.indexOf('\n');
            throw new QAOutputException("could not parse a JSON object (" + (nl < 0 ? message : message.substring(0, nl)) + ")", text, e);
        }
    }

    private static String field(Object value, String key, Map<String, Object> json, String text) {
        if (value == null) {
            throw new QAOutputException("the JSON object has no non-null \"" + key + "\"; keys found: "
                    + json.keySet() + " (expected \"query\" and \"answer\")", text);
        }
        if (value instanceof Map || value instanceof Iterable) {
            throw new QAOutputException("\"" + key + "\" must be a string but is a JSON "
                    + (value instanceof Map ? "object" : "array"), text);
        }
        String s = String.valueOf(value).strip(); // numbers and booleans become their text
        if (s.isEmpty()) {
            throw new QAOutputException("\"" + key + "\" is empty", text);
        }
        return s;
    }
}
