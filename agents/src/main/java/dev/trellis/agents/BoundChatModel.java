package dev.trellis.agents;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;

/**
 * A model with tools and stop sequences bound to every request (LangChain's {@code bind_tools} /
 * {@code bind(stop=...)}), so that calls made through {@code ChainRun.chat(model, messages)}
 * carry them and still reach the chain's listeners.
 */
final class BoundChatModel implements ChatModel {

    private final ChatModel delegate;
    private final List<ToolSpecification> tools;
    private final List<String> stopSequences;

    BoundChatModel(ChatModel delegate, List<ToolSpecification> tools, List<String> stopSequences) {
        this.delegate = delegate;
        this.tools = List.copyOf(tools);
        this.stopSequences = List.copyOf(stopSequences);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        var extra = ChatRequestParameters.builder();
        if (!tools.isEmpty()) {
            extra.toolSpecifications(tools);
        }
        if (!stopSequences.isEmpty()) {
            extra.stopSequences(stopSequences);
        }
        ChatRequest bound = ChatRequest.builder()
                .messages(request.messages())
                .parameters(request.parameters().overrideWith(extra.build()))
                .build();
        return delegate.chat(bound);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return chat(request);
    }
}
