package dev.trellis.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request {@link OpenAiCompatibleTestServer} received: for assertions on what a client sent.
 *
 * @param method     HTTP method
 * @param path       request path, e.g. {@code /v1/chat/completions}
 * @param headers    request headers (names lower-cased)
 * @param rawBody    the body as sent
 * @param body       the body parsed as JSON ({@code null} if it was not JSON)
 * @param receivedAt when the server read it
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers,
                              String rawBody, JsonNode body, Instant receivedAt) {

    /** One message of a chat request: role and text content (text parts joined). */
    public record Message(String role, String content) {
    }

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase());
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The {@code model} field. */
    public String model() {
        return body == null || !body.hasNonNull("model") ? null : body.get("model").asText();
    }

    /** Whether the client asked for a streamed answer. */
    public boolean stream() {
        return body != null && body.path("stream").asBoolean(false);
    }

    /** The chat messages, in order. */
    public List<Message> messages() {
        List<Message> messages = new ArrayList<>();
        if (body != null) {
            for (JsonNode message : body.path("messages")) {
                messages.add(new Message(message.path("role").asText(), text(message.get("content"))));
            }
        }
        return messages;
    }

    /** The content of the last user message, or {@code ""}. */
    public String lastUserMessage() {
        List<Message> messages = messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    /** Names of the tools (functions) offered to the model. */
    public List<String> toolNames() {
        List<String> names = new ArrayList<>();
        if (body != null) {
            for (JsonNode tool : body.path("tools")) {
                names.add(tool.path("function").path("name").asText());
            }
        }
        return names;
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.hasNonNull("text")) {
                text.append(part.get("text").asText());
            }
        }
        return text.toString();
    }
}
