package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of an OpenAI request body's fields. Every wrong type or range becomes a 400 that
 * names the field, the value and what would be accepted, in the wording OpenAI's API uses.
 */
final class RequestFields {

    private RequestFields() {
    }

    static String optionalString(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(node, "string", field);
        }
        return node.asText();
    }

    static boolean optionalBoolean(JsonNode body, String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw wrongType(node, "boolean", field);
        }
        return node.asBoolean();
    }

    static Double optionalNumber(JsonNode body, String field, double min, double max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw wrongType(node, "number", field);
        }
        double value = node.asDouble();
        if (value < min || value > max) {
            throw OpenAiApiException.invalidRequest(value + " is out of range for '" + field + "': expected a number"
                    + " between " + min + " and " + max + ".", field, "invalid_value");
        }
        return value;
    }

    static Integer optionalInt(JsonNode body, String field, long min, long max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw wrongType(node, "integer", field);
        }
        long value = node.asLong();
        if (value < min || value > max) {
            throw OpenAiApiException.invalidRequest(value + " is out of range for '" + field + "': expected an integer"
                    + " between " + min + " and " + max + ".", field, "invalid_value");
        }
        return (int) value;
    }

    /** A string or an array of strings ({@code stop}, {@code input}, {@code prompt}). */
    static List<String> stringOrStrings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw wrongType(node, "string or array of strings", field);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw wrongType(node.get(i), "string", field + "[" + i + "]");
            }
            values.add(node.get(i).asText());
        }
        return values;
    }

    /**
     * The sampling parameters chat and text completions share. langchain4j's core parameters have
     * no seed, so they travel as {@link OpenAiChatRequestParameters}, which a local model reads
     * like any other {@code ChatRequestParameters} and which carries {@code seed}.
     */
    /** The custom parameter that carries vLLM's {@code ignore_eos} to the model. */
    static final String IGNORE_EOS = "ignore_eos";

    static OpenAiChatRequestParameters.Builder samplingParameters(JsonNode body, String model) {
        Integer n = optionalInt(body, "n", 1, 128);
        if (n != null && n != 1) {
            throw OpenAiApiException.invalidRequest("'n' = " + n + " is not supported: this server returns one choice"
                    + " per request; send " + n + " requests instead.", "n", "unsupported_value");
        }
        if (optionalBoolean(body, "logprobs", false) || (body.has("logprobs") && body.get("logprobs").isNumber())) {
            throw OpenAiApiException.invalidRequest("'logprobs' is not supported by this server.", "logprobs",
                    "unsupported_parameter");
        }
        Integer maxTokens = optionalInt(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE);
        }
        List<String> stop = stringOrStrings(body, "stop");
        OpenAiChatRequestParameters.Builder parameters = OpenAiChatRequestParameters.builder()
                .modelName(model)
                .temperature(optionalNumber(body, "temperature", 0, 2))
                .topP(optionalNumber(body, "top_p", 0, 1))
                .frequencyPenalty(optionalNumber(body, "frequency_penalty", -2, 2))
                .presencePenalty(optionalNumber(body, "presence_penalty", -2, 2))
                .maxOutputTokens(maxTokens)
                .seed(optionalInt(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE));
        if (!stop.isEmpty()) {
            parameters.stopSequences(stop);
        }
        if (optionalBoolean(body, "ignore_eos", false)) {
            // vLLM's extension: run to max_tokens past the end-of-sequence token (benchmarks need fixed lengths)
            parameters.customParameters(java.util.Map.of(IGNORE_EOS, true));
        }
        return parameters;
    }

    /** Whether {@code stream_options.include_usage} asks for a final usage chunk. */
    static boolean includeUsage(JsonNode body, boolean stream) {
        JsonNode options = body.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!stream) {
            throw OpenAiApiException.invalidRequest("'stream_options' is only allowed when 'stream' is true.",
                    "stream_options");
        }
        if (!options.isObject()) {
            throw wrongType(options, "object", "stream_options");
        }
        return optionalBoolean(options, "include_usage", false);
    }

    static OpenAiApiException wrongType(JsonNode value, String expected, String field) {
        String shown = value.toString();
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return OpenAiApiException.invalidRequest(shown + " is not of type '" + expected + "' - '" + field + "'.", field,
                "invalid_type");
    }
}
