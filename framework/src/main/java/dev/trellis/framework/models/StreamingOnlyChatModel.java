package dev.trellis.framework.models;

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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A langchain4j {@link StreamingChatModel} (such as {@code OpenAiStreamingChatModel}) that is also a
 * {@link ChatModel}, so a chain can be built from a streaming-only model: {@code call} waits for the
 * whole answer, {@code stream} passes tokens on as they come.
 *
 * <pre>{@code
 * LlmChain chain = LlmChain.builder().streamingLlm(OpenAiStreamingChatModel.builder()...build()).prompt(prompt).build();
 * }</pre>
 */
public final class StreamingOnlyChatModel implements ChatModel, StreamingChatModel {

    private final StreamingChatModel delegate;

    private StreamingOnlyChatModel(StreamingChatModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "streamingChatModel");
    }

    /** The model itself when it already is a {@link ChatModel}, else a wrapper. */
    public static ChatModel of(StreamingChatModel model) {
        Objects.requireNonNull(model, "streamingChatModel");
        return model instanceof ChatModel both ? both : new StreamingOnlyChatModel(model);
    }

    /** The wrapped streaming model. */
    public StreamingChatModel delegate() {
        return delegate;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        delegate.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the streaming model's answer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("the streaming model failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        delegate.chat(request, handler);
    }

    // ChatModel and StreamingChatModel both default these; a class that is both must choose.
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return List.of(); // the delegate tells its own listeners
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }

    @Override
    public String toString() {
        return "StreamingOnlyChatModel[" + delegate + "]";
    }
}
