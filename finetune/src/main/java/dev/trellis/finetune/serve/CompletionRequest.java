package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.List;

/**
 * A legacy {@code POST /v1/completions} body. The served model is a chat model whose template
 * wraps every prompt, so each prompt goes to it as one user message with the same sampling
 * parameters; a model finetuned on instruction/response pairs answers it as it was trained to.
 *
 * @param model        the model the client named, or null
 * @param prompts      one entry per prompt (a string prompt is a list of one)
 * @param parameters   the sampling parameters, seed included
 * @param stream       whether the answer goes out as server-sent events
 * @param includeUsage whether a streamed answer ends with a usage chunk
 * @param echo         whether each answer repeats its prompt first
 */
public record CompletionRequest(String model, List<String> prompts, ChatRequestParameters parameters,
                                boolean stream, boolean includeUsage, boolean echo) {

    public CompletionRequest {
        prompts = List.copyOf(prompts);
    }

    public static CompletionRequest fromJson(JsonNode body, String servedModel) {
        if (!body.isObject()) {
            throw OpenAiApiException.invalidRequest("The request body must be a JSON object.", null);
        }
        String model = RequestFields.optionalString(body, "model");
        if (!body.has("prompt") || body.get("prompt").isNull()) {
            throw OpenAiApiException.invalidRequest("Missing required parameter: 'prompt'.", "prompt",
                    "missing_required_parameter");
        }
        List<String> prompts = RequestFields.stringOrStrings(body, "prompt");
        if (prompts.isEmpty()) {
            throw OpenAiApiException.invalidRequest("'prompt' must contain at least one prompt.", "prompt", "empty_array");
        }
        if (body.hasNonNull("suffix")) {
            throw OpenAiApiException.invalidRequest("'suffix' (fill-in-the-middle) is not supported by this server.",
                    "suffix", "unsupported_parameter");
        }
        boolean stream = RequestFields.optionalBoolean(body, "stream", false);
        if (stream && prompts.size() > 1) {
            throw OpenAiApiException.invalidRequest("Streaming takes one prompt; got " + prompts.size() + ".", "prompt");
        }
        ChatRequestParameters parameters = RequestFields.samplingParameters(body, model == null ? servedModel : model)
                .build();
        return new CompletionRequest(model, prompts, parameters, stream, RequestFields.includeUsage(body, stream),
                RequestFields.optionalBoolean(body, "echo", false));
    }

    /** The chat request for prompt number {@code index}. */
    public ChatRequest chatRequest(int index) {
        return ChatRequest.builder().messages(UserMessage.from(prompts.get(index))).parameters(parameters).build();
    }
}
