package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A {@code POST /v1/embeddings} body.
 *
 * @param model  the model the client named, or null
 * @param inputs the texts to embed, in order
 * @param base64 whether vectors go out as base64 little-endian float32 ({@code encoding_format})
 */
public record EmbeddingRequest(String model, List<String> inputs, boolean base64) {

    /** More inputs than this in one request is a client bug or an attack; OpenAI's limit is 2048. */
    static final int MAX_INPUTS = 2048;

    public EmbeddingRequest {
        inputs = List.copyOf(inputs);
    }

    public static EmbeddingRequest fromJson(JsonNode body) {
        if (!body.isObject()) {
            throw OpenAiApiException.invalidRequest("The request body must be a JSON object.", null);
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw OpenAiApiException.invalidRequest("Missing required parameter: 'input'.", "input",
                    "missing_required_parameter");
        }
        if (input.isArray() && !input.isEmpty() && !input.get(0).isTextual()) {
            throw OpenAiApiException.invalidRequest("'input' as token ids is not supported; send strings.", "input",
                    "unsupported_value");
        }
        List<String> inputs = RequestFields.stringOrStrings(body, "input");
        if (inputs.isEmpty() || inputs.size() > MAX_INPUTS) {
            throw OpenAiApiException.invalidRequest("'input' must hold 1 to " + MAX_INPUTS + " strings; got "
                    + inputs.size() + ".", "input", "invalid_value");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).isEmpty()) {
                throw OpenAiApiException.invalidRequest("'input[" + i + "]' is empty; embeddings need text.",
                        "input[" + i + "]", "invalid_value");
            }
        }
        String format = RequestFields.optionalString(body, "encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw OpenAiApiException.invalidRequest("Invalid value: '" + format + "'. Supported values are: 'float' and"
                    + " 'base64'.", "encoding_format", "invalid_value");
        }
        if (body.hasNonNull("dimensions")) {
            throw OpenAiApiException.invalidRequest("'dimensions' is not supported: the embedding model has a fixed size.",
                    "dimensions", "unsupported_parameter");
        }
        return new EmbeddingRequest(RequestFields.optionalString(body, "model"), inputs, "base64".equals(format));
    }
}
