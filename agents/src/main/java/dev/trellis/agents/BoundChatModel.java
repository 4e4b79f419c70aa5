package dev.trellis.agents;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.List;
import java.util.Set;

/**
 * A model with tools and stop sequences bound to every request (LangChain's {@code bind_tools} /
 * {@code bind(stop=...)}), so that calls made through {@code ChainRun.chat(model, messages)}
 * carry them and still reach the chain's listeners. It streams when the model it binds does.
 */
class BoundChatModel implements ChatModel {

    private final ChatModel delegate;
    private final List<ToolSpecification> tools;
    private final List<String> stopSequences;

    private BoundChatModel(ChatModel delegate, List<ToolSpecification> tools, List<String> stopSequences) {
        this.delegate = delegate;
        this.tools = List.copyOf(tools);
        this.stopSequences = List.copyOf(stopSequences);
    }

    /** The model with tools and stop sequences bound; a {@link StreamingChatModel} too when {@code delegate} is one. */
    static ChatModel bind(ChatModel delegate, List<ToolSpecification> tools, List<String> stopSequences) {
        return delegate instanceof StreamingChatModel
                ? new Streaming(delegate, tools, stopSequences) : new BoundChatModel(delegate, tools, stopSequences);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return delegate.chat(bound(request));
    }

    ChatRequest bound(ChatRequest request) {
        var extra = ChatRequestParameters.builder();
        if (!tools.isEmpty()) {
            extra.toolSpecifications(tools);
        }
        if (!stopSequences.isEmpty()) {
            extra.stopSequences(stopSequences);
        }
        return ChatRequest.builder()
                .messages(request.messages())
                .parameters(request.parameters().overrideWith(extra.build()))
                .build();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return chat(request);
    }

    /** The bound model of a model that streams. */
    private static final class Streaming extends BoundChatModel implements StreamingChatModel {

        private final StreamingChatModel streaming;

        Streaming(ChatModel delegate, List<ToolSpecification> tools, List<String> stopSequences) {
            super(delegate, tools, stopSequences);
            this.streaming = (StreamingChatModel) delegate;
        }

        @Override
        public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
            streaming.chat(bound(request), handler);
        }

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            chat(request, handler);
        }

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
            return streaming.provider();
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return streaming.supportedCapabilities();
        }
    }
}
