package dev.trellis.agents.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the single-string input out of a native tool call's JSON arguments. */
final class ToolArguments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolArguments() {
    }

    /**
     * The {@code input} field of {@code {"input": ...}}; for any other object with exactly one field,
     * that field's text; for text that is not JSON, the text itself (models sometimes send bare strings).
     */
    static String inputOf(String argumentsJson) {
        if (argumentsJson == null || argumentsJson.isBlank()) {
            return "";
        }
        JsonNode node;
        try {
            node = JSON.readTree(argumentsJson);
        } catch (Exception notJson) {
            return argumentsJson;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject()) {
            if (node.has("input")) {
                JsonNode input = node.get("input");
                return input.isTextual() ? input.asText() : input.toString();
            }
            if (node.size() == 1) {
                JsonNode only = node.elements().next();
                return only.isTextual() ? only.asText() : only.toString();
            }
        }
        return node.toString();
    }
}
