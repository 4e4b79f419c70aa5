package dev.trellis.framework.memory;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Only a running summary (LangChain's {@code ConversationSummaryMemory}): every completed turn is
 * folded into the summary by the model, and the verbatim messages are dropped. The transcript of
 * {@link #loadMemoryVariables()} is the summary text itself, as in LangChain; with
 * {@code returnMessages} it is one {@code SystemMessage}. A question still waiting for its answer
 * (as {@code AiServices} adds it) is shown after the summary until the turn completes.
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

    @Override
    protected void prune(State state) {
        if (state.conversation().isEmpty()) {
            return;
        }
        String summary = summarizer.predictNewSummary(new ArrayList<>(state.conversation()), state.summary());
        state.summary(summary);
        state.conversation().clear();
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
