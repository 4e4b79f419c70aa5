package dev.trellis.framework.memory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The machinery every Trellis memory shares: state kept in a {@link ChatMemoryStore} (so a
 * restarted process continues the conversation), langchain4j's system-message rules, LangChain's
 * {@code saveContext}/{@code loadMemoryVariables}, and one lock per memory so threads may share it.
 *
 * <p>Stored layout, in this order: the user's {@link SystemMessage} if any, the moving summary if
 * any (a {@code SystemMessage} tagged with {@link #SUMMARY_TAG}, so it is never mistaken for the
 * user's one), then the conversation. Subclasses decide what is pruned when a turn completes
 * ({@link #prune}) and which part of the conversation is shown ({@link #visible}).
 *
 * <p>A turn completes on {@link #saveContext} and when an {@link AiMessage} without tool calls is
 * added; pruning waits for that moment, as LangChain prunes after each {@code save_context}, so
 * the prompt of a turn is the pruned history plus the new input, and a summarizing memory calls
 * its model once per turn rather than once per message.
 *
 * <p>Use one memory object per conversation id: the lock lives in the object, and two objects
 * writing the same id of one store would interleave their read-modify-write cycles.
 */
public abstract class AbstractConversationMemory implements ConversationMemory {

    /** Marks the stored summary; stripped before the summary reaches a model or a transcript. */
    public static final String SUMMARY_TAG = "[trellis:conversation-summary]\n";

    /**
     * Marks the stored count of leading conversation messages already folded into the summary
     * (kept by a memory that keeps its messages, such as {@link ConversationSummaryMemory}).
     */
    public static final String SUMMARIZED_TAG = "[trellis:summarized-messages]";

    private final Object id;
    private final ChatMemoryStore store;
    private final String memoryKey;
    private final String humanPrefix;
    private final String aiPrefix;
    private final boolean returnMessages;
    private final ReentrantLock lock = new ReentrantLock();

    protected AbstractConversationMemory(Builder<?, ?> builder) {
        this.id = Objects.requireNonNull(builder.id, "id");
        this.store = builder.store == null ? new InMemoryChatMemoryStore() : builder.store;
        this.memoryKey = builder.memoryKey;
        this.humanPrefix = builder.humanPrefix;
        this.aiPrefix = builder.aiPrefix;
        this.returnMessages = builder.returnMessages;
    }

    @Override
    public Object id() {
        return id;
    }

    @Override
    public String memoryKey() {
        return memoryKey;
    }

    @Override
    public boolean returnMessages() {
        return returnMessages;
    }

    public String humanPrefix() {
        return humanPrefix;
    }

    public String aiPrefix() {
        return aiPrefix;
    }

    /** The store this memory reads and writes on every call. */
    public ChatMemoryStore chatMemoryStore() {
        return store;
    }

    @Override
    public void add(ChatMessage message) {
        Objects.requireNonNull(message, "message");
        lock.lock();
        try {
            State state = load();
            if (!state.apply(message)) {
                return; // the same system message again: nothing changes, nothing is written
            }
            if (completesTurn(message)) {
                pruneAndSave(state);
            } else {
                save(state);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces the messages (langchain4j's {@code set}) and prunes once at the end. The moving
     * summary is kept; a system message equal to it (as {@link #messages()} returns it) is skipped,
     * so {@code set(messages())} changes nothing.
     */
    @Override
    public void set(Iterable<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        lock.lock();
        try {
            State old = load();
            State state = new State();
            state.summary = old.summary;
            // Messages already folded into the summary are not shown, so they are kept: set(messages()) changes nothing.
            state.conversation.addAll(old.conversation.subList(0, old.summarized));
            state.summarized = old.summarized;
            for (ChatMessage message : messages) {
                Objects.requireNonNull(message, "messages contains null");
                if (message instanceof SystemMessage system && state.summary != null
                        && system.text().equals(state.summary)) {
                    continue;
                }
                state.apply(message);
            }
            pruneAndSave(state);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void saveContext(String input, String output) {
        if (input == null || output == null) {
            throw new IllegalArgumentException("saveContext needs both texts; got input="
                    + (input == null ? "null" : "'" + input + "'") + ", output="
                    + (output == null ? "null" : "'" + output + "'") + "; pass \"\" for an empty turn");
        }
        lock.lock();
        try {
            State state = load();
            state.conversation.add(UserMessage.from(input));
            state.conversation.add(AiMessage.from(output));
            pruneAndSave(state);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ChatMessage> messages() {
        lock.lock();
        try {
            return render(load());
        } finally {
            lock.unlock();
        }
    }

    /** The moving summary as stored; {@code ""} when there is none. */
    protected String storedSummary() {
        lock.lock();
        try {
            return load().summary();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Object> loadMemoryVariables() {
        List<ChatMessage> messages = messages();
        return Map.of(memoryKey, returnMessages ? messages : transcript(messages));
    }

    /** The transcript {@link #loadMemoryVariables()} returns when messages are not requested. */
    protected String transcript(List<ChatMessage> messages) {
        return ChatTranscript.bufferString(messages, humanPrefix, aiPrefix);
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            store.deleteMessages(id);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called with the lock held when a turn completes. Implementations must change {@code state}
     * only after any call that can fail (a model call) has succeeded: the caller saves the state
     * even when this throws, so the new exchange is never lost.
     */
    protected abstract void prune(State state);

    /** The part of the conversation {@link #messages()} shows; all of it by default. */
    protected List<ChatMessage> visible(List<ChatMessage> conversation) {
        return conversation;
    }

    /** The part of the stored state {@link #messages()} shows; by default {@link #visible(List)} of the conversation. */
    protected List<ChatMessage> visible(State state) {
        return visible(state.conversation);
    }

    /** Every stored conversation message, summarized or not, oldest first (no system message, no summary). */
    protected List<ChatMessage> storedConversation() {
        lock.lock();
        try {
            return new ArrayList<>(load().conversation);
        } finally {
            lock.unlock();
        }
    }

    private void pruneAndSave(State state) {
        try {
            prune(state);
        } finally {
            save(state);
        }
    }

    private List<ChatMessage> render(State state) {
        List<ChatMessage> out = new ArrayList<>(state.conversation.size() + 2);
        if (state.system != null) {
            out.add(state.system);
        }
        if (state.summary != null && !state.summary.isEmpty()) {
            out.add(SystemMessage.from(state.summary));
        }
        out.addAll(visible(state));
        return out; // a fresh, mutable list, as langchain4j memories return
    }

    private State load() {
        List<ChatMessage> stored = store.getMessages(id);
        State state = new State();
        if (stored == null) {
            return state;
        }
        for (ChatMessage message : stored) {
            if (message instanceof SystemMessage system && system.text().startsWith(SUMMARY_TAG)) {
                state.summary = system.text().substring(SUMMARY_TAG.length());
            } else if (message instanceof SystemMessage system && system.text().startsWith(SUMMARIZED_TAG)) {
                state.summarized = parseCount(system.text());
            } else if (message instanceof SystemMessage system) {
                state.system = system;
            } else {
                state.conversation.add(message);
            }
        }
        return state;
    }

    private void save(State state) {
        List<ChatMessage> out = new ArrayList<>(state.conversation.size() + 2);
        if (state.system != null) {
            out.add(state.system);
        }
        if (state.summary != null && !state.summary.isEmpty()) {
            out.add(SystemMessage.from(SUMMARY_TAG + state.summary));
        }
        if (state.summarized > 0) {
            out.add(SystemMessage.from(SUMMARIZED_TAG + state.summarized));
        }
        out.addAll(state.conversation);
        store.updateMessages(id, out); // a fresh list: some stores keep the reference
    }

    private static int parseCount(String tagged) {
        try {
            return Math.max(0, Integer.parseInt(tagged.substring(SUMMARIZED_TAG.length()).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("stored memory holds a malformed '" + tagged + "' marker; it should be "
                    + SUMMARIZED_TAG + "<count>", e);
        }
    }

    /** Whether {@code message} ends a turn: the AI's final answer (no pending tool calls). */
    protected static boolean completesTurn(ChatMessage message) {
        return message instanceof AiMessage ai && !ai.hasToolExecutionRequests();
    }

    /**
     * Removes the oldest message of {@code conversation}, and with it whatever would be left
     * dangling (tool results whose request is gone), as langchain4j's windows do; returns them.
     */
    protected static List<ChatMessage> evictOldest(List<ChatMessage> conversation) {
        List<ChatMessage> removed = new ArrayList<>(2);
        if (conversation.isEmpty()) {
            return removed;
        }
        removed.add(conversation.remove(0));
        while (!conversation.isEmpty() && conversation.get(0) instanceof ToolExecutionResultMessage) {
            removed.add(conversation.remove(0));
        }
        return removed;
    }

    /**
     * What a memory holds: the user's system message, the moving summary (untagged) and the
     * conversation. Mutable, and only ever touched with the memory's lock held.
     */
    protected static final class State {
        private SystemMessage system;
        private String summary;
        private int summarized;
        private final List<ChatMessage> conversation = new ArrayList<>();

        /** The conversation, oldest first; prune implementations edit it in place. */
        public List<ChatMessage> conversation() {
            return conversation;
        }

        /** The moving summary, {@code ""} when there is none yet. */
        public String summary() {
            return summary == null ? "" : summary;
        }

        public void summary(String summary) {
            this.summary = summary;
        }

        /** How many leading conversation messages the summary already covers. */
        public int summarized() {
            return Math.min(summarized, conversation.size());
        }

        public void summarized(int summarized) {
            if (summarized < 0 || summarized > conversation.size()) {
                throw new IllegalArgumentException("summarized must be between 0 and " + conversation.size()
                        + ", got " + summarized);
            }
            this.summarized = summarized;
        }

        /** langchain4j's rule: one system message, the same one again is ignored, a new one replaces it. */
        private boolean apply(ChatMessage message) {
            if (message instanceof SystemMessage tagged && tagged.text().startsWith(SUMMARY_TAG)) {
                summary = tagged.text().substring(SUMMARY_TAG.length()); // restoring a saved summary
            } else if (message instanceof SystemMessage tagged && tagged.text().startsWith(SUMMARIZED_TAG)) {
                summarized = parseCount(tagged.text());
            } else if (message instanceof SystemMessage newSystem) {
                if (newSystem.equals(system)) {
                    return false;
                }
                system = newSystem;
            } else {
                conversation.add(message);
            }
            return true;
        }
    }

    /** Settings every memory shares, in langchain4j's builder style. */
    public abstract static class Builder<M extends AbstractConversationMemory, B extends Builder<M, B>> {
        private Object id = "default";
        private ChatMemoryStore store;
        private String memoryKey = "history";
        private String humanPrefix = "Human";
        private String aiPrefix = "AI";
        private boolean returnMessages;

        protected Builder() {
        }

        /** The conversation id, the key in the store; {@code "default"} as in langchain4j. */
        public B id(Object id) {
            this.id = Objects.requireNonNull(id, "id must not be null; use \"default\" for a single conversation");
            return self();
        }

        /** Where messages live; langchain4j's {@link InMemoryChatMemoryStore} when not set. */
        public B chatMemoryStore(ChatMemoryStore store) {
            this.store = Objects.requireNonNull(store, "chatMemoryStore");
            return self();
        }

        /** The key of {@link #loadMemoryVariables()}; {@code history} by default. */
        public B memoryKey(String memoryKey) {
            this.memoryKey = requireText(memoryKey, "memoryKey");
            return self();
        }

        public B humanPrefix(String humanPrefix) {
            this.humanPrefix = requireText(humanPrefix, "humanPrefix");
            return self();
        }

        public B aiPrefix(String aiPrefix) {
            this.aiPrefix = requireText(aiPrefix, "aiPrefix");
            return self();
        }

        /** Return {@code List<ChatMessage>} instead of a transcript (LangChain's {@code return_messages}). */
        public B returnMessages(boolean returnMessages) {
            this.returnMessages = returnMessages;
            return self();
        }

        @SuppressWarnings("unchecked")
        protected B self() {
            return (B) this;
        }

        public abstract M build();

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must be a non-blank string; got "
                        + (value == null ? "null" : "'" + value + "'"));
            }
            return value;
        }
    }
}
