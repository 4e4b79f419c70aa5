package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One execution of one chain: its place in the tree of nested chain calls and the listeners that
 * hear about it. Chains get it from {@code BaseChain} and send their model calls through
 * {@link #chat(ChatModel, List)} so that listeners see the exact prompt and answer.
 *
 * <p>Runs nest per thread: a chain called while another runs on the same thread is its child and
 * inherits its listeners.
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
    private int childCount;
    private boolean closed;

    private ChainRun(ChainRun parent, String chainName, List<ChainListener> inherited, List<ChainListener> listeners) {
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
        ChainRun run = new ChainRun(parent, chainName, inherited, all);
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
        for (ChainListener listener : listeners) {
            listener.onChatModelStart(this, messages);
        }
        ChatResponse response = model.chat(messages);
        for (ChainListener listener : listeners) {
            listener.onChatModelEnd(this, response);
        }
        return response;
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
