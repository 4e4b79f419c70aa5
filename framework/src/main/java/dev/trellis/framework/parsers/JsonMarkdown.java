package dev.trellis.framework.parsers;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JSON object from a model's answer, where it usually sits in a markdown code block
 * ({@code ```json ... ```}), possibly with prose around it (LangChain's {@code parse_json_markdown}).
 * Lenient the way models need: a bare object without a fence, raw newlines inside strings,
 * trailing commas.
 */
public final class JsonMarkdown {

    private static final Pattern FENCE = Pattern.compile("```(?:json|JSON)?[ \\t]*\\r?\\n?(.*?)```", Pattern.DOTALL);
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private JsonMarkdown() {
    }

    /** The first JSON object in the text: inside a code fence if there is one, else the outermost braces. */
    public static Map<String, Object> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new OutputParserException("expected a JSON object but the model output is empty", String.valueOf(text));
        }
        String json = extract(text);
        try {
            JsonParser parser = MAPPER.createParser(json);
            Map<String, Object> value = MAPPER.readValue(parser, MAP);
            if (value == null) {
                throw new OutputParserException("expected a JSON object but found null", text);
            }
            return value;
        } catch (java.io.IOException e) {
            throw new OutputParserException("could not parse a JSON object (" + firstLine(e.getMessage()) + ")", text, e);
        }
    }

    /** {@link #parse(String)}, then checks that every expected key is present. */
    public static Map<String, Object> parseAndCheck(String text, Collection<String> expectedKeys) {
        Map<String, Object> value = parse(text);
        List<String> missing = new ArrayList<>();
        for (String key : expectedKeys) {
            if (!value.containsKey(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new OutputParserException("JSON object is missing key(s) " + missing + "; expected "
                    + expectedKeys + ", found " + value.keySet(), text);
        }
        return value;
    }

    private static String extract(String text) {
        Matcher fence = FENCE.matcher(text);
        String candidate = fence.find() ? fence.group(1) : text;
        int open = candidate.indexOf('{');
        int close = candidate.lastIndexOf('}');
        if (open < 0 || close < open) {
            throw new OutputParserException("no JSON object (no '{...}') found", text);
        }
        return candidate.substring(open, close + 1);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
