package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST /v1/chat/completions} body, translated into the langchain4j {@link ChatRequest}
 * the served model answers: messages (system/developer, user, assistant with tool calls, tool
 * results), {@code tools} and {@code tool_choice}, {@code response_format} (json_object,
 * json_schema) and the sampling parameters. The model does the constrained decoding; this class
 * only says what is asked.
 *
 * @param model        the model the client named, or null when it named none
 * @param chatRequest  what the model is asked
 * @param stream       whether the answer goes out as server-sent events
 * @param includeUsage whether a streamed answer ends with a usage chunk
 */
public record ChatCompletionRequest(String model, ChatRequest chatRequest, boolean stream, boolean includeUsage) {

    /** Parses and validates {@code body}; a bad field becomes a 400 {@link OpenAiApiException}. */
    public static ChatCompletionRequest fromJson(JsonNode body, String servedModel) {
        if (!body.isObject()) {
            throw OpenAiApiException.invalidRequest("The request body must be a JSON object.", null);
        }
        String model = RequestFields.optionalString(body, "model");
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || messagesNode.isNull()) {
            throw OpenAiApiException.invalidRequest("Missing required parameter: 'messages'.", "messages",
                    "missing_required_parameter");
        }
        if (!messagesNode.isArray()) {
            throw RequestFields.wrongType(messagesNode, "array", "messages");
        }
        if (messagesNode.isEmpty()) {
            throw OpenAiApiException.invalidRequest("'messages' must contain at least one message.", "messages",
                    "empty_array");
        }
        List<ChatMessage> messages = messages(messagesNode);

        OpenAiChatRequestParameters.Builder parameters = RequestFields.samplingParameters(body,
                model == null ? servedModel : model);
        tools(body, parameters);
        responseFormat(body, parameters);
        boolean stream = RequestFields.optionalBoolean(body, "stream", false);
        boolean includeUsage = RequestFields.includeUsage(body, stream);
        ChatRequest request = ChatRequest.builder().messages(messages).parameters(parameters.build()).build();
        return new ChatCompletionRequest(model, request, stream, includeUsage);
    }

    private static List<ChatMessage> messages(JsonNode array) {
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, String> toolNamesById = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode message = array.get(i);
            String where = "messages[" + i + "]";
            if (!message.isObject()) {
                throw RequestFields.wrongType(message, "object", where);
            }
            String role = RequestFields.optionalString(message, "role");
            if (role == null) {
                throw OpenAiApiException.invalidRequest("Missing required parameter: '" + where + ".role'.",
                        where + ".role", "missing_required_parameter");
            }
            switch (role) {
                case "system", "developer" -> messages.add(SystemMessage.from(text(message, where, true)));
                case "user" -> {
                    String name = RequestFields.optionalString(message, "name");
                    String text = text(message, where, true);
                    messages.add(name == null ? UserMessage.from(text) : UserMessage.from(name, text));
                }
                case "assistant" -> messages.add(assistant(message, where, toolNamesById));
                case "tool" -> {
                    String id = RequestFields.optionalString(message, "tool_call_id");
                    if (id == null) {
                        throw OpenAiApiException.invalidRequest("Missing required parameter: '" + where
                                + ".tool_call_id'.", where + ".tool_call_id", "missing_required_parameter");
                    }
                    String toolName = toolNamesById.get(id);
                    if (toolName == null) {
                        throw OpenAiApiException.invalidRequest("'" + where + ".tool_call_id' = '" + id + "' answers no"
                                + " tool call of an earlier assistant message.", where + ".tool_call_id");
                    }
                    messages.add(ToolExecutionResultMessage.from(id, toolName, text(message, where, true)));
                }
                default -> throw OpenAiApiException.invalidRequest("Invalid value: '" + role + "'. Supported values are:"
                        + " 'system', 'developer', 'user', 'assistant' and 'tool'.", where + ".role", "invalid_value");
            }
        }
        return messages;
    }

    private static AiMessage assistant(JsonNode message, String where, Map<String, String> toolNamesById) {
        String text = text(message, where, false);
        JsonNode calls = message.get("tool_calls");
        if (calls == null || calls.isNull() || calls.isEmpty()) {
            if (text == null) {
                throw OpenAiApiException.invalidRequest("'" + where + "' needs 'content' or 'tool_calls'.",
                        where + ".content");
            }
            return AiMessage.from(text);
        }
        if (!calls.isArray()) {
            throw RequestFields.wrongType(calls, "array", where + ".tool_calls");
        }
        List<ToolExecutionRequest> requests = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            JsonNode call = calls.get(j);
            String callWhere = where + ".tool_calls[" + j + "]";
            JsonNode function = call.get("function");
            if (function == null || !function.isObject()) {
                throw OpenAiApiException.invalidRequest("Missing required parameter: '" + callWhere + ".function'.",
                        callWhere + ".function", "missing_required_parameter");
            }
            String id = RequestFields.optionalString(call, "id");
            String name = RequestFields.optionalString(function, "name");
            if (id == null || name == null) {
                throw OpenAiApiException.invalidRequest("'" + callWhere + "' needs an 'id' and a 'function.name'.",
                        callWhere, "missing_required_parameter");
            }
            String arguments = RequestFields.optionalString(function, "arguments");
            toolNamesById.put(id, name);
            requests.add(ToolExecutionRequest.builder().id(id).name(name)
                    .arguments(arguments == null ? "{}" : arguments).build());
        }
        return text == null || text.isEmpty() ? AiMessage.from(requests) : AiMessage.from(text, requests);
    }

    /** The text of {@code content}: a string or an array of text parts. */
    private static String text(JsonNode message, String where, boolean required) {
        JsonNode content = message.get("content");
        if (content == null || content.isNull()) {
            if (required) {
                throw OpenAiApiException.invalidRequest("Missing required parameter: '" + where + ".content'.",
                        where + ".content", "missing_required_parameter");
            }
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw RequestFields.wrongType(content, "string or array of content parts", where + ".content");
        }
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < content.size(); k++) {
            JsonNode part = content.get(k);
            String type = part.path("type").asText();
            if (!"text".equals(type)) {
                throw OpenAiApiException.invalidRequest("Content part type '" + type + "' is not supported by this"
                        + " text-only model; send 'text' parts.", where + ".content[" + k + "].type", "invalid_value");
            }
            text.append(part.path("text").asText());
        }
        return text.toString();
    }

    private static void tools(JsonNode body, OpenAiChatRequestParameters.Builder parameters) {
        JsonNode toolsNode = body.get("tools");
        List<ToolSpecification> tools = new ArrayList<>();
        if (toolsNode != null && !toolsNode.isNull()) {
            if (!toolsNode.isArray()) {
                throw RequestFields.wrongType(toolsNode, "array", "tools");
            }
            for (int i = 0; i < toolsNode.size(); i++) {
                tools.add(tool(toolsNode.get(i), "tools[" + i + "]"));
            }
        }
        JsonNode choice = body.get("tool_choice");
        if (choice == null || choice.isNull()) {
            if (!tools.isEmpty()) {
                parameters.toolSpecifications(tools).toolChoice(ToolChoice.AUTO);
            }
            return;
        }
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "none" -> {
                    // The tools stay out of the prompt entirely: the model cannot call what it does not see.
                }
                case "auto" -> {
                    if (!tools.isEmpty()) {
                        parameters.toolSpecifications(tools).toolChoice(ToolChoice.AUTO);
                    }
                }
                case "required" -> {
                    if (tools.isEmpty()) {
                        throw OpenAiApiException.invalidRequest("'tool_choice' is 'required' but no 'tools' are given.",
                                "tool_choice");
                    }
                    parameters.toolSpecifications(tools).toolChoice(ToolChoice.REQUIRED);
                }
                default -> throw OpenAiApiException.invalidRequest("Invalid value: '" + choice.asText() + "'. Supported"
                        + " values are: 'none', 'auto' and 'required', or {\"type\": \"function\", \"function\":"
                        + " {\"name\": ...}}.", "tool_choice", "invalid_value");
            }
            return;
        }
        String name = choice.path("function").path("name").asText(null);
        if (!choice.isObject() || name == null) {
            throw RequestFields.wrongType(choice, "string or {\"type\": \"function\", \"function\": {\"name\"}}",
                    "tool_choice");
        }
        ToolSpecification named = tools.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> OpenAiApiException.invalidRequest("'tool_choice' names function '" + name
                        + "', which is not among 'tools'.", "tool_choice"));
        // Forcing one function = only that function, required.
        parameters.toolSpecifications(List.of(named)).toolChoice(ToolChoice.REQUIRED);
    }

    private static ToolSpecification tool(JsonNode tool, String where) {
        if (!tool.isObject() || !"function".equals(tool.path("type").asText())) {
            throw OpenAiApiException.invalidRequest("'" + where + "' must be {\"type\": \"function\", \"function\":"
                    + " {...}}.", where + ".type", "invalid_value");
        }
        JsonNode function = tool.get("function");
        String name = function == null ? null : RequestFields.optionalString(function, "name");
        if (name == null || !name.matches("[a-zA-Z0-9_-]{1,64}")) {
            throw OpenAiApiException.invalidRequest("'" + where + ".function.name' must be 1-64 letters, digits,"
                    + " underscores or dashes; got " + (name == null ? "nothing" : "'" + name + "'") + ".",
                    where + ".function.name", "invalid_value");
        }
        ToolSpecification.Builder spec = ToolSpecification.builder().name(name)
                .description(RequestFields.optionalString(function, "description"));
        JsonNode parameters = function.get("parameters");
        if (parameters != null && !parameters.isNull()) {
            spec.parameters(JsonSchemas.toObjectSchema(parameters, where + ".function.parameters"));
        }
        if (function.has("strict")) {
            spec.strict(RequestFields.optionalBoolean(function, "strict", false));
        }
        return spec.build();
    }

    private static void responseFormat(JsonNode body, OpenAiChatRequestParameters.Builder parameters) {
        JsonNode format = body.get("response_format");
        if (format == null || format.isNull()) {
            return;
        }
        if (!format.isObject()) {
            throw RequestFields.wrongType(format, "object", "response_format");
        }
        String type = format.path("type").asText();
        switch (type) {
            case "text" -> parameters.responseFormat(ResponseFormat.TEXT);
            case "json_object" -> parameters.responseFormat(ResponseFormat.JSON);
            case "json_schema" -> {
                JsonNode spec = format.get("json_schema");
                if (spec == null || !spec.isObject()) {
                    throw OpenAiApiException.invalidRequest("Missing required parameter: 'response_format.json_schema'.",
                            "response_format.json_schema", "missing_required_parameter");
                }
                String name = RequestFields.optionalString(spec, "name");
                JsonSchema schema = JsonSchema.builder().name(name == null ? "response" : name)
                        .rootElement(JsonSchemas.toElement(spec.get("schema"), "response_format.json_schema.schema"))
                        .build();
                parameters.responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build());
            }
            default -> throw OpenAiApiException.invalidRequest("Invalid value: '" + type + "'. Supported values are:"
                    + " 'text', 'json_object' and 'json_schema'.", "response_format.type", "invalid_value");
        }
    }
}
