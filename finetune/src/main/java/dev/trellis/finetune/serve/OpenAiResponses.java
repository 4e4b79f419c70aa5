package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;

import java.util.List;

/** Builds the JSON bodies of OpenAI's API: completions, stream chunks, usage, errors. */
final class OpenAiResponses {

    static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiResponses() {
    }

    /** Token counts of one answer. */
    record Usage(int promptTokens, int completionTokens) {
        ObjectNode toJson() {
            ObjectNode usage = JSON.createObjectNode();
            usage.put("prompt_tokens", promptTokens);
            usage.put("completion_tokens", completionTokens);
            usage.put("total_tokens", promptTokens + completionTokens);
            return usage;
        }

        Usage plus(Usage other) {
            return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens);
        }
    }

    static ObjectNode error(OpenAiApiException e) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return body;
    }

    static ObjectNode chatCompletion(String id, long created, String model, ChatResponse response, Usage usage) {
        ObjectNode body = header(id, "chat.completion", created, model);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", assistantMessage(response.aiMessage()));
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(response));
        body.set("usage", usage.toJson());
        return body;
    }

    static ObjectNode chatChunk(String id, long created, String model, ObjectNode delta, String finishReason) {
        ObjectNode body = header(id, "chat.completion.chunk", created, model);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return body;
    }

    static ObjectNode contentDelta(String content) {
        ObjectNode delta = JSON.createObjectNode();
        delta.put("content", content);
        return delta;
    }

    static ObjectNode roleDelta() {
        ObjectNode delta = JSON.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        return delta;
    }

    static ObjectNode toolCallsDelta(List<ToolExecutionRequest> calls) {
        ObjectNode delta = JSON.createObjectNode();
        delta.set("tool_calls", toolCalls(calls, true));
        return delta;
    }

    /** The last chunk of a stream that asked for usage: no choices, only the counts. */
    static ObjectNode usageChunk(String id, String object, long created, String model, Usage usage) {
        ObjectNode body = header(id, object, created, model);
        body.putArray("choices");
        body.set("usage", usage.toJson());
        return body;
    }

    static ObjectNode textCompletion(String id, long created, String model, List<String> texts, List<String> finishReasons,
                                     Usage usage) {
        ObjectNode body = header(id, "text_completion", created, model);
        ArrayNode choices = body.putArray("choices");
        for (int i = 0; i < texts.size(); i++) {
            choices.add(textChoice(i, texts.get(i), finishReasons.get(i)));
        }
        body.set("usage", usage.toJson());
        return body;
    }

    static ObjectNode textChunk(String id, long created, String model, String text, String finishReason) {
        ObjectNode body = header(id, "text_completion", created, model);
        body.putArray("choices").add(textChoice(0, text, finishReason));
        return body;
    }

    private static ObjectNode textChoice(int index, String text, String finishReason) {
        ObjectNode choice = JSON.createObjectNode();
        choice.put("text", text);
        choice.put("index", index);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return choice;
    }

    static ObjectNode assistantMessage(AiMessage message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("role", "assistant");
        node.put("content", message.text());
        if (message.hasToolExecutionRequests()) {
            node.set("tool_calls", toolCalls(message.toolExecutionRequests(), false));
        }
        node.putNull("refusal");
        return node;
    }

    private static ArrayNode toolCalls(List<ToolExecutionRequest> calls, boolean indexed) {
        ArrayNode array = JSON.createArrayNode();
        for (int i = 0; i < calls.size(); i++) {
            ToolExecutionRequest call = calls.get(i);
            ObjectNode node = array.addObject();
            if (indexed) {
                node.put("index", i);
            }
            node.put("id", call.id() == null ? "call_" + i : call.id());
            node.put("type", "function");
            ObjectNode function = node.putObject("function");
            function.put("name", call.name());
            function.put("arguments", call.arguments() == null ? "{}" : call.arguments());
        }
        return array;
    }

    /** OpenAI's finish_reason for a langchain4j response. */
    static String finishReason(ChatResponse response) {
        if (response.aiMessage() != null && response.aiMessage().hasToolExecutionRequests()) {
            return "tool_calls";
        }
        FinishReason reason = response.finishReason();
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case LENGTH -> "length";
            case TOOL_EXECUTION -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            default -> "stop";
        };
    }

    private static ObjectNode header(String id, String object, long created, String model) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        body.put("system_fingerprint", "trellis");
        return body;
    }
}
