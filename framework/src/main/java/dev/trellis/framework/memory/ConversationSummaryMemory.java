package dev.trellis.framework.memory;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A running summary (LangChain's {@code ConversationSummaryMemory}): every completed turn is
 * folded into the summary by the model. As in LangChain the messages are kept too
 * ({@link #chatMessages()}, LangChain's {@code chat_memory.messages}) while
 * {@link #loadMemoryVariables()} loads the summary: its transcript is the summary text itself;
 * with {@code returnMessages} it is one {@code SystemMessage}. A question still waiting for its
 * answer (as {@code AiServices} adds it) is shown after the summary until the turn completes.
 */
public final class ConversationSummaryMemory extends AbstractConversationMemory {

    private final ProgressiveSummarizer summarizer;

    public ConversationSummaryMemory(ChatModel chatModel) {
        this(builder().chatModel(chatModel));
    }

    private ConversationSummaryMemory(Builder builder) {
        super(builder);
        if (builder.chatModel == null) {
            throw new IllegalArgumentException("ConversationSummaryMemory needs the chatModel that writes the summary");
        }
        this.summarizer = new ProgressiveSummarizer(builder.chatModel, builder.summaryPrompt, humanPrefix(), aiPrefix());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The running summary (LangChain's {@code buffer}); {@code ""} before the first turn. */
    public String buffer() {
        return storedSummary();
    }

    /** One summarizing call, without touching the memory. */
    public String predictNewSummary(List<ChatMessage> messages, String existingSummary) {
        return summarizer.predictNewSummary(messages, existingSummary);
    }

    /** Every message of the conversation, summarized or not, oldest first (LangChain's {@code chat_memory.messages}). */
    public List<ChatMessage> chatMessages() {
        return storedConversation();
    }

    @Override
    protected void prune(State state) {
        List<ChatMessage> conversation = state.conversation();
        int covered = state.summarized();
        if (covered >= conversation.size()) {
            return;
        }
        List<ChatMessage> newLines = new ArrayList<>(conversation.subList(covered, conversation.size()));
        String summary = summarizer.predictNewSummary(newLines, state.summary()); // may throw: state untouched
        state.summary(summary);
        state.summarized(conversation.size());
    }

    @Override
    protected List<ChatMessage> visible(State state) {
        List<ChatMessage> conversation = state.conversation();
        return conversation.subList(state.summarized(), conversation.size());
    }

    @Override
    protected String transcript(List<ChatMessage> messages) {
        List<String> parts = new ArrayList<>();
        List<ChatMessage> rest = new ArrayList<>();
        String summary = storedSummary();
        for (ChatMessage message : messages) {
            if (message instanceof SystemMessage system && system.text().equals(summary)) {
                parts.add(summary);
            } else {
                rest.add(message);
            }
        }
        if (!rest.isEmpty()) {
            parts.add(ChatTranscript.bufferString(rest, humanPrefix(), aiPrefix()));
        }
        return String.join("\n", parts);
    }

    public static final class Builder extends AbstractConversationMemory.Builder<ConversationSummaryMemory, Builder> {
        private ChatModel chatModel;
        private String summaryPrompt = ProgressiveSummarizer.DEFAULT_PROMPT;

        public Builder chatModel(ChatModel chatModel) {
            this.chatModel = Objects.requireNonNull(chatModel, "chatModel");
            return this;
        }

        /** The summarizing prompt; must contain {@code {summary}} and {@code {new_lines}}. */
        public Builder summaryPrompt(String summaryPrompt) {
            this.summaryPrompt = ProgressiveSummarizer.checkPrompt(summaryPrompt);
            return this;
        }

        @Override
        public ConversationSummaryMemory build() {
            return new ConversationSummaryMemory(this);
        }
    }
}
