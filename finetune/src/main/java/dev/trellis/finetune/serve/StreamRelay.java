package dev.trellis.finetune.serve;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Carries one streamed answer from the worker thread that generates it to the HTTP thread that
 * writes it. The worker slot stays taken until the model is done, even when the model streams on
 * a thread of its own; when the client goes away the generation is cancelled through langchain4j's
 * {@code StreamingHandle} (or by failing the next callback), freeing the worker.
 */
final class StreamRelay implements StreamingChatResponseHandler {

    /** What the HTTP thread receives: a piece of text, the final response, or a failure. */
    sealed interface Event permits Token, Done, Failed {
    }

    record Token(String text) implements Event {
    }

    record Done(ChatResponse response) implements Event {
    }

    record Failed(Throwable error) implements Event {
    }

    private static final class ClientGoneException extends RuntimeException {
        ClientGoneException() {
            super("the client closed the connection; generation stopped", null, false, false);
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean clientGone;

    /** The worker's task: generate, then hold the slot until the model has finished. */
    Void run(ChatModel chatModel, StreamingChatModel streamingModel, ChatRequest request) throws InterruptedException {
        if (streamingModel == null) {
            // A blocking model streams its whole answer as one piece.
            try {
                ChatResponse response = chatModel.chat(request);
                if (response.aiMessage().text() != null && !response.aiMessage().text().isEmpty()) {
                    events.add(new Token(response.aiMessage().text()));
                }
                onCompleteResponse(response);
            } catch (RuntimeException e) {
                onError(e);
            }
            return null;
        }
        try {
            streamingModel.chat(request, this);
        } catch (RuntimeException e) {
            onError(e);
        }
        while (!finished.await(100, TimeUnit.MILLISECONDS)) {
            if (clientGone) {
                break;
            }
        }
        return null;
    }

    /** The next event, waiting as long as generation takes. */
    Event next() throws InterruptedException {
        return events.take();
    }

    /** Called by the HTTP thread when a write fails: stop generating for nobody. */
    void clientGone() {
        clientGone = true;
    }

    @Override
    public void onPartialResponse(String partialResponse) {
        if (clientGone) {
            throw new ClientGoneException();
        }
        events.add(new Token(partialResponse));
    }

    @Override
    public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
        if (clientGone) {
            context.streamingHandle().cancel();
            finished.countDown();
            return;
        }
        events.add(new Token(partialResponse.text()));
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        events.add(new Done(completeResponse));
        finished.countDown();
    }

    @Override
    public void onError(Throwable error) {
        events.add(new Failed(error));
        finished.countDown();
    }
}
