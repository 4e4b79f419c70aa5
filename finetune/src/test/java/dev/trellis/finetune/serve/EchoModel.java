package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic test model that obeys the request the way a constrained decoder would:
 * it answers "Echo: LAST USER TEXT" word by word (honouring max tokens and stop sequences),
 * calls a tool when tools are required or the prompt names one, and writes JSON that fits the
 * requested schema. A gate lets tests hold generation to fill the queue.
 */
final class EchoModel implements ChatModel, StreamingChatModel {

    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile CountDownLatch started = new CountDownLatch(0);

    /** Holds every generation until {@link #release()}; {@code expected} starts can be awaited. */
    void hold(int expected) {
        gate = new CountDownLatch(1);
        started = new CountDownLatch(expected);
    }

    boolean awaitStarted(long seconds) throws InterruptedException {
        return started.await(seconds, TimeUnit.SECONDS);
    }

    void release() {
        gate.countDown();
    }

    // ChatModel and StreamingChatModel both default these; a class that is both must choose.
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return ChatRequestParameters.builder().build();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return List.of();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        started.countDown();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return answer(request);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatResponse response = doChat(request);
        String text = response.aiMessage().text();
        if (text != null) {
            for (String piece : text.split("(?<= )")) {
                handler.onPartialResponse(piece);
            }
        }
        handler.onCompleteResponse(response);
    }

    static ChatResponse answer(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        String last = lastUserText(messages);
        int promptTokens = messages.stream().mapToInt(m -> m.toString().split("\\s+").length).sum();
        List<ToolSpecification> tools = request.toolSpecifications();
        boolean answeredTool = messages.get(messages.size() - 1) instanceof ToolExecutionResultMessage;
        if (tools != null && !tools.isEmpty() && !answeredTool) {
            ToolSpecification tool = tools.stream().filter(t -> last.contains(t.name())).findFirst()
                    .orElse(request.toolChoice() == ToolChoice.REQUIRED ? tools.get(0) : null);
            if (tool != null) {
                String arguments = tool.parameters() == null ? "{}" : fill(tool.parameters(), last).toString();
                return ChatResponse.builder()
                        .aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("call_1").name(tool.name())
                                .arguments(arguments).build()))
                        .finishReason(FinishReason.TOOL_EXECUTION)
                        .tokenUsage(new TokenUsage(promptTokens, 5)).build();
            }
        }
        if (answeredTool) {
            ToolExecutionResultMessage result = (ToolExecutionResultMessage) messages.get(messages.size() - 1);
            return text("The tool said: " + result.text(), request, promptTokens);
        }
        if (request.responseFormat() != null && request.responseFormat().type() == ResponseFormatType.JSON) {
            JsonNode json = request.responseFormat().jsonSchema() == null
                    ? JsonNodeFactory.instance.objectNode().put("answer", last)
                    : fill(request.responseFormat().jsonSchema().rootElement(), last);
            return text(json.toString(), request, promptTokens);
        }
        return text("Echo: " + last, request, promptTokens);
    }

    private static ChatResponse text(String full, ChatRequest request, int promptTokens) {
        List<String> words = new ArrayList<>(Arrays.asList(full.split(" ")));
        FinishReason reason = FinishReason.STOP;
        Integer max = request.maxOutputTokens();
        if (max != null && words.size() > max) {
            words = words.subList(0, max);
            reason = FinishReason.LENGTH;
        }
        String text = String.join(" ", words);
        for (String stop : request.stopSequences() == null ? List.<String>of() : request.stopSequences()) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                text = text.substring(0, at);
                reason = FinishReason.STOP;
            }
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).finishReason(reason)
                .tokenUsage(new TokenUsage(promptTokens, text.isEmpty() ? 0 : text.split(" ").length)).build();
    }

    /** A value that fits {@code schema}, as a grammar-constrained decoder would produce. */
    static JsonNode fill(JsonSchemaElement schema, String text) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (schema instanceof JsonObjectSchema object) {
            ObjectNode node = f.objectNode();
            for (Map.Entry<String, JsonSchemaElement> property : object.properties().entrySet()) {
                node.set(property.getKey(), fill(property.getValue(), text));
            }
            return node;
        }
        if (schema instanceof JsonArraySchema array) {
            ArrayNode node = f.arrayNode();
            node.add(fill(array.items(), text));
            return node;
        }
        if (schema instanceof JsonEnumSchema enumeration) {
            return f.textNode(enumeration.enumValues().get(0));
        }
        if (schema instanceof JsonIntegerSchema) {
            return f.numberNode(text.length());
        }
        if (schema instanceof JsonNumberSchema) {
            return f.numberNode(0.5);
        }
        if (schema instanceof JsonBooleanSchema) {
            return f.booleanNode(true);
        }
        return f.textNode(text);
    }

    private static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage user) {
                return user.singleText();
            }
        }
        return "";
    }
}
