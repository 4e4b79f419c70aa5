package dev.trellis.framework.parsers;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JSON object from a model's answer, where it usually sits in a markdown code block
 * ({@code ```json ... ```}), possibly with prose around it (LangChain's {@code parse_json_markdown}).
 *
 * <p>The search follows LangChain: first the whole answer with surrounding whitespace and
 * backticks stripped, then everything after the first {@code ```} (or {@code ```json}), so a
 * string value that itself holds a {@code ```} fence is read whole. Each candidate goes through
 * {@link #parsePartial(String)}, LangChain's {@code parse_partial_json}: an answer cut short
 * (a missing closing quote, bracket or brace) is completed, and text after the JSON is dropped.
 * Trellis is more lenient in three ways: raw newlines and tabs inside strings, trailing commas
 * and comments are accepted anywhere, and an unfenced object after prose ("Sure! {...}") is
 * found too.
 */
public final class JsonMarkdown {

    private static final Pattern AFTER_FENCE = Pattern.compile("```(json)?(.*)", Pattern.DOTALL);
    private static final String STRIP = " \n\r\t`";
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonMarkdown() {
    }

    /** The JSON object in the text: see the class comment for where it is looked for. */
    public static Map<String, Object> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new OutputParserException("expected a JSON object but the model output is empty", String.valueOf(text));
        }
        List<String> candidates = new ArrayList<>(3);
        candidates.add(text);
        Matcher fence = AFTER_FENCE.matcher(text);
        if (fence.find()) {
            candidates.add(fence.group(2));
        }
        int open = text.indexOf('{');
        if (open > 0) {
            candidates.add(text.substring(open));
        }
        Object firstValue = null;
        JsonProcessingException firstError = null;
        for (String candidate : candidates) {
            String json = strip(candidate);
            if (json.isEmpty()) {
                continue;
            }
            try {
                Optional<Object> value = parsePartialOrThrow(json);
                if (value.isPresent() && value.get() instanceof Map<?, ?>) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = (Map<String, Object>) value.get();
                    return map;
                }
                if (value.isPresent() && firstValue == null) {
                    firstValue = value.get();
                }
            } catch (JsonProcessingException e) {
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (firstValue != null) {
            throw new OutputParserException("expected a JSON object but found "
                    + firstValue.getClass().getSimpleName() + " " + firstValue, text);
        }
        if (text.indexOf('{') < 0) {
            throw new OutputParserException("no JSON object (no '{...}') found", text);
        }
        throw new OutputParserException("could not parse a JSON object ("
                + (firstError == null ? "mismatched brackets" : firstLine(firstError.getOriginalMessage())) + ")", text);
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

    /**
     * Parses JSON that may be cut short or followed by other text (LangChain's
     * {@code parse_partial_json}): an open string is closed, open arrays and objects are closed in
     * order, and characters are dropped from the end until what is left parses. So
     * <code>{"foo": "bar", "bar":</code> reads as <code>{foo=bar}</code> and a streamed prefix
     * <code>{"setup": "Why did</code> as <code>{setup=Why did}</code>.
     *
     * @return the value (a {@code Map}, {@code List}, {@code String}, number, boolean), or empty
     *         when a closing bracket does not match its opening one
     * @throws OutputParserException when no prefix of the text is JSON
     */
    public static Optional<Object> parsePartial(String text) {
        try {
            return parsePartialOrThrow(text);
        } catch (JsonProcessingException e) {
            throw new OutputParserException("not JSON (" + firstLine(e.getOriginalMessage()) + ")", text, e);
        }
    }

    private static Optional<Object> parsePartialOrThrow(String s) throws JsonProcessingException {
        JsonProcessingException original;
        try {
            return Optional.ofNullable(read(s));
        } catch (JsonProcessingException e) {
            original = e;
        }
        StringBuilder chars = new StringBuilder(s.length() + 1);
        Deque<Character> stack = new ArrayDeque<>();
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '"' && !escaped) {
                    inString = false;
                } else if (c == '\\') {
                    escaped = !escaped;
                } else {
                    escaped = false;
                }
            } else if (c == '"') {
                inString = true;
                escaped = false;
            } else if (c == '{') {
                stack.push('}');
            } else if (c == '[') {
                stack.push(']');
            } else if (c == '}' || c == ']') {
                if (!stack.isEmpty() && stack.peek() == c) {
                    stack.pop();
                } else {
                    return Optional.empty(); // mismatched closing bracket: malformed
                }
            }
            chars.append(c);
        }
        if (inString) {
            if (escaped) {
                chars.setLength(chars.length() - 1); // an unterminated escape
            }
            chars.append('"');
        }
        StringBuilder closing = new StringBuilder(stack.size());
        stack.forEach(closing::append); // innermost first
        int length = chars.length();
        while (length > 0) {
            String attempt = chars.substring(0, length) + closing;
            try {
                return Optional.ofNullable(read(attempt));
            } catch (JsonProcessingException e) {
                // Parsing is left to right: every longer attempt that keeps the text up to the
                // error unchanged fails there again, so the next try can cut right after it.
                JsonLocation where = e.getLocation();
                long at = where == null ? -1 : where.getCharOffset();
                length = at >= 0 && at + 1 < length ? (int) at + 1 : length - 1;
            }
        }
        throw original;
    }

    private static Object read(String json) throws JsonProcessingException {
        return MAPPER.readValue(json, Object.class);
    }

    private static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && STRIP.indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && STRIP.indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(start, end);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
