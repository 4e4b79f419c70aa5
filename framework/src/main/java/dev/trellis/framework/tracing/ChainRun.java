package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One execution of one chain: its place in the tree of nested chain calls and the listeners that
 * hear about it. Chains get it from {@code BaseChain} and send their model calls through
 * {@link #chat(ChatModel, List)} so that listeners see the exact prompt and answer.
 *
 * <p>Runs nest per thread: a chain called while another runs on the same thread is its child and
 * inherits its listeners.
 *
 * <p>A run started by {@code chain.stream(inputs, onToken)} carries a token sink
 * ({@link #tokenSink()}); a chain sends the model call that writes its answer through
 * {@link #chat(ChatModel, ChatRequest, Consumer)} with that sink, and the call streams when the
 * model is a langchain4j {@link StreamingChatModel}. Child runs do not inherit the sink: a
 * composite chain hands it on to the step that answers.
 */
public final class ChainRun implements AutoCloseable {

    private static final ThreadLocal<ChainRun> CURRENT = new ThreadLocal<>();

    private final ChainRun parent;
    private final String chainName;
    private final int depth;
    private final int index;
    private final List<ChainListener> inherited;
    private final List<ChainListener> listeners;
    private final long startNanos;
    private final Consumer<String> tokenSink;
    private int childCount;
    private boolean closed;
    private volatile boolean streamedTokens;

    private ChainRun(ChainRun parent, String chainName, List<ChainListener> inherited, List<ChainListener> listeners,
                     Consumer<String> tokenSink) {
        this.tokenSink = tokenSink == null ? null : token -> {
            streamedTokens = true;
            tokenSink.accept(token);
        };
        this.parent = parent;
        this.chainName = chainName;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.index = parent == null ? 1 : ++parent.childCount;
        this.inherited = inherited;
        this.listeners = listeners;
        this.startNanos = System.nanoTime();
    }

    /**
     * Starts a run of the chain named {@code chainName} on this thread and tells the listeners.
     *
     * @param own       listeners attached to the chain; its children inherit them
     * @param localOnly listeners for this chain alone (its {@code verbose} printer)
     */
    public static ChainRun start(String chainName, List<ChainListener> own, List<ChainListener> localOnly,
                                 Map<String, Object> inputs) {
        return start(chainName, own, localOnly, inputs, null);
    }

    /**
     * Starts a run whose answer streams to {@code tokenSink} ({@code null}: not streamed).
     *
     * @see #start(String, List, List, Map)
     */
    public static ChainRun start(String chainName, List<ChainListener> own, List<ChainListener> localOnly,
                                 Map<String, Object> inputs, Consumer<String> tokenSink) {
        Objects.requireNonNull(chainName, "chainName");
        ChainRun parent = CURRENT.get();
        List<ChainListener> inherited;
        if (parent == null) {
            inherited = Tracing.rootListeners(own);
        } else if (own.isEmpty()) {
            inherited = parent.inherited;
        } else {
            inherited = new ArrayList<>(parent.inherited.size() + own.size());
            inherited.addAll(parent.inherited);
            inherited.addAll(own);
        }
        List<ChainListener> all;
        if (localOnly.isEmpty()) {
            all = inherited;
        } else {
            all = new ArrayList<>(inherited.size() + localOnly.size());
            all.addAll(inherited);
            all.addAll(localOnly);
        }
        ChainRun run = new ChainRun(parent, chainName, inherited, all, tokenSink);
        CURRENT.set(run);
        for (ChainListener listener : run.listeners) {
            listener.onChainStart(run, inputs);
        }
        return run;
    }

    /** The run in progress on this thread, if any. */
    public static java.util.Optional<ChainRun> current() {
        return java.util.Optional.ofNullable(CURRENT.get());
    }

    /** Sends messages to a model, telling the listeners the exact prompt and the answer. */
    public ChatResponse chat(ChatModel model, List<ChatMessage> messages) {
        return chat(model, ChatRequest.builder().messages(messages).build(), null);
    }

    /** Sends a request (messages plus parameters such as stop sequences) to a model, unstreamed. */
    public ChatResponse chat(ChatModel model, ChatRequest request) {
        return chat(model, request, null);
    }

    /**
     * Sends a request to a model and, when {@code tokens} is not {@code null}, passes the answer on
     * as it is written: token by token when the model is a {@link StreamingChatModel}, else whole,
     * once the model has answered. Listeners hear the prompt, every token
     * ({@link ChainListener#onToken}) and the complete answer, streamed or not.
     *
     * @param tokens where the answer's text goes as it comes, usually {@link #tokenSink()}; {@code null} for none
     */
    public ChatResponse chat(ChatModel model, ChatRequest request, Consumer<String> tokens) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(request, "request");
        for (ChainListener listener : listeners) {
            listener.onChatModelStart(this, request.messages());
        }
        ChatResponse response;
        if (tokens == null) {
            response = model.chat(request);
        } else if (model instanceof StreamingChatModel streaming) {
            response = stream(streaming, request, tokens);
        } else {
            response = model.chat(request);
            AiMessage ai = response == null ? null : response.aiMessage();
            if (ai != null && ai.text() != null && !ai.text().isEmpty()) {
                token(ai.text(), tokens);
            }
        }
        for (ChainListener listener : listeners) {
            listener.onChatModelEnd(this, response);
        }
        return response;
    }

    /** Streams one request and waits for the complete answer; a model error is rethrown here. */
    private ChatResponse stream(StreamingChatModel model, ChatRequest request, Consumer<String> tokens) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                if (done.isDone() || partial == null || partial.isEmpty()) {
                    return;
                }
                try {
                    token(partial, tokens);
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e); // a failing token handler ends the call
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
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
            throw new IllegalStateException("chain '" + chainName + "' was interrupted while streaming", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("chain '" + chainName + "': streaming failed: " + cause, cause);
        }
    }

    /**
     * Passes one piece of the answer to {@code tokens} and tells the listeners; chains use it to
     * stream text that did not come from a model call (a chosen answer, a tool's direct result).
     */
    public void token(String token, Consumer<String> tokens) {
        for (ChainListener listener : listeners) {
            listener.onToken(this, token);
        }
        tokens.accept(token);
    }

    /** Where this run's answer streams, if it was started by {@code stream(...)}. */
    public Optional<Consumer<String>> tokenSink() {
        return Optional.ofNullable(tokenSink);
    }

    /** Whether this run streams its answer. */
    public boolean isStreaming() {
        return tokenSink != null;
    }

    /** Whether any token reached this run's {@link #tokenSink()}. */
    public boolean streamedTokens() {
        return streamedTokens;
    }

    /** Reports free text to the listeners. */
    public void text(String text) {
        for (ChainListener listener : listeners) {
            listener.onText(this, text);
        }
    }

    /** Reports success; the caller then closes the run. */
    public void end(Map<String, Object> outputs) {
        for (ChainListener listener : listeners) {
            listener.onChainEnd(this, outputs);
        }
    }

    /** Reports failure; the caller then closes the run and rethrows. */
    public void error(Throwable error) {
        for (ChainListener listener : listeners) {
            listener.onChainError(this, error);
        }
    }

    /** Ends this run's place on the thread: the parent becomes current again. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CURRENT.set(parent);
        }
    }

    public String chainName() {
        return chainName;
    }

    /** 0 for a chain called directly, 1 for a chain it calls, and so on. */
    public int depth() {
        return depth;
    }

    /** The run of the chain that called this one, if any. */
    public java.util.Optional<ChainRun> parent() {
        return java.util.Optional.ofNullable(parent);
    }

    /** Where this run sits, e.g. {@code 1:SequentialChain > 2:LlmChain(translate)}. */
    public String path() {
        String here = index + ":" + chainName;
        return parent == null ? here : parent.path() + " > " + here;
    }

    /** Nanoseconds since the run started. */
    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    @Override
    public String toString() {
        return "ChainRun[" + path() + "]";
    }
}
