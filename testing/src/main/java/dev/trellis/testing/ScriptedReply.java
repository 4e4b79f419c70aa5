package dev.trellis.testing;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One scripted answer of {@link OpenAiCompatibleTestServer}: a completion (text or tool calls),
 * or a fault to inject (an HTTP error, a rate limit with {@code Retry-After}, a hang, a
 * malformed body). Completions are sent as server-sent events when the request asks for
 * {@code "stream": true}.
 */
public sealed interface ScriptedReply {

    /** An assistant message with this content ({@code finish_reason: "stop"}). */
    static ScriptedReply text(String content) {
        return new Text(Objects.requireNonNull(content, "content"));
    }

    /** One tool call in OpenAI's {@code tool_calls} format ({@code finish_reason: "tool_calls"}). */
    static ScriptedReply toolCall(String name, String argumentsJson) {
        return new ToolCalls(List.of(new ToolCall(name, argumentsJson)));
    }

    /** Several tool calls in one assistant message. */
    static ScriptedReply toolCalls(ToolCall... calls) {
        return new ToolCalls(List.of(calls));
    }

    /** An HTTP error with OpenAI's error body {@code {"error": {"message": ..., "type": ...}}}. */
    static ScriptedReply error(int status, String message) {
        return new Failure(status, Map.of(), "application/json", errorBody(status, message));
    }

    /** HTTP 429 with {@code Retry-After: <seconds>} (rounded up to whole seconds, as the header requires). */
    static ScriptedReply rateLimited(Duration retryAfter) {
        long seconds = (retryAfter.toMillis() + 999) / 1000;
        return new Failure(429, Map.of("Retry-After", Long.toString(seconds)), "application/json",
                errorBody(429, "Rate limit reached; try again in " + seconds + "s."));
    }

    /** HTTP 429 with {@code Retry-After} as an HTTP-date. */
    static ScriptedReply rateLimitedUntil(ZonedDateTime until) {
        return new Failure(429, Map.of("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT).format(until)),
                "application/json", errorBody(429, "Rate limit reached."));
    }

    /** Any status, headers and body, for faults the other factories do not cover. */
    static ScriptedReply raw(int status, Map<String, String> headers, String contentType, String body) {
        return new Failure(status, Map.copyOf(headers), contentType, body);
    }

    /** Sleeps this long before answering anything (make it longer than the client's timeout). */
    static ScriptedReply hang(Duration duration) {
        return new Hang(duration);
    }

    /** HTTP 200 with a body that is not valid JSON (as a stream: an event whose data is not JSON). */
    static ScriptedReply malformedJson() {
        return new Malformed("{\"id\": \"chatcmpl-broken\", \"choices\": [{\"message\": ");
    }

    /** Assistant text. */
    record Text(String content) implements ScriptedReply {
    }

    /** A tool call: the function name and its arguments as a JSON string. */
    record ToolCall(String name, String arguments) {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }
    }

    /** Assistant tool calls. */
    record ToolCalls(List<ToolCall> calls) implements ScriptedReply {
        public ToolCalls {
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("a tool-call reply needs at least one call");
            }
            calls = List.copyOf(calls);
        }
    }

    /** A non-completion answer sent as is. */
    record Failure(int status, Map<String, String> headers, String contentType, String body) implements ScriptedReply {
    }

    /** No answer for a while. */
    record Hang(Duration duration) implements ScriptedReply {
    }

    /** A 200 whose body is broken JSON. */
    record Malformed(String body) implements ScriptedReply {
    }

    private static String errorBody(int status, String message) {
        String type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
        return "{\"error\":{\"message\":" + OpenAiCompatibleTestServer.quote(message) + ",\"type\":\"" + type
                + "\",\"param\":null,\"code\":null}}";
    }
}
