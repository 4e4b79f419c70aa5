package dev.trellis.framework.memory;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Shows only the last {@code k} exchanges (LangChain's {@code ConversationBufferWindowMemory}):
 * with {@link #saveContext} that is the last {@code 2k} messages; {@code k = 0} shows none.
 *
 * <p>Exchanges are counted as turns, each starting at a user message, so tool calls stay with
 * their turn and a question still waiting for its answer (as in {@code AiServices}, which adds
 * the question before asking the model) is always shown on top of the window.
 *
 * <p>Storage: LangChain keeps every message and only shows the window. By default this memory
 * also trims the store to the window when a turn completes, so a long-running chatbot's store
 * stays bounded; {@link Builder#keepFullHistory(boolean)} keeps the whole conversation in the
 * store (for an audit log or a later larger {@code k}) while still showing only the window.
 */
public final class ConversationBufferWindowMemory extends AbstractConversationMemory {

    private final int k;
    private final boolean keepFullHistory;

    /** An in-memory window of the last {@code k} exchanges. */
    public ConversationBufferWindowMemory(int k) {
        this(builder().k(k));
    }

    private ConversationBufferWindowMemory(Builder builder) {
        super(builder);
        if (builder.k == null) {
            throw new IllegalArgumentException("ConversationBufferWindowMemory needs k, the number of exchanges to "
                    + "show; call builder().k(n)");
        }
        this.k = builder.k;
        this.keepFullHistory = builder.keepFullHistory;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int k() {
        return k;
    }

    @Override
    protected List<ChatMessage> visible(List<ChatMessage> conversation) {
        List<List<ChatMessage>> turns = turns(conversation);
        int open = !turns.isEmpty() && !isClosed(last(turns)) ? 1 : 0;
        int from = Math.max(0, turns.size() - open - k);
        List<ChatMessage> out = new ArrayList<>();
        for (List<ChatMessage> turn : turns.subList(from, turns.size())) {
            out.addAll(turn);
        }
        return out;
    }

    @Override
    protected void prune(State state) {
        if (!keepFullHistory) {
            List<ChatMessage> window = visible(state.conversation());
            state.conversation().clear();
            state.conversation().addAll(window);
        }
    }

    private static List<List<ChatMessage>> turns(List<ChatMessage> conversation) {
        List<List<ChatMessage>> turns = new ArrayList<>();
        for (ChatMessage message : conversation) {
            if (turns.isEmpty() || message instanceof UserMessage) {
                turns.add(new ArrayList<>());
            }
            last(turns).add(message);
        }
        return turns;
    }

    private static boolean isClosed(List<ChatMessage> turn) {
        return completesTurn(turn.get(turn.size() - 1));
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    public static final class Builder extends AbstractConversationMemory.Builder<ConversationBufferWindowMemory, Builder> {
        private Integer k;
        private boolean keepFullHistory;

        /** How many exchanges to show; 0 shows none. */
        public Builder k(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("k is the number of exchanges to show and must be >= 0; got " + k);
            }
            this.k = k;
            return this;
        }

        /** Keep every message in the store and show only the window (LangChain's storage); default false. */
        public Builder keepFullHistory(boolean keepFullHistory) {
            this.keepFullHistory = keepFullHistory;
            return this;
        }

        @Override
        public ConversationBufferWindowMemory build() {
            return new ConversationBufferWindowMemory(this);
        }
    }
}
