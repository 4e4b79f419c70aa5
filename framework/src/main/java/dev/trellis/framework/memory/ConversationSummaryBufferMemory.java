package dev.trellis.framework.memory;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Recent messages verbatim, older ones folded into a moving summary (LangChain's
 * {@code ConversationSummaryBufferMemory}). When a turn completes and the conversation counts
 * more than {@code maxTokenLimit} tokens, the oldest messages are removed until it fits and the
 * model folds them into the summary with a progressive-summary prompt (current summary + new
 * lines -> new summary). The summary comes first, as a {@code SystemMessage} (in the transcript
 * {@code "System: <summary>"}), and persists in the store with the messages.
 *
 * <p>As in LangChain the budget covers the verbatim messages, not the summary. If the model call
 * fails the exchange is still saved, unpruned, and the next turn retries.
 *
 * <pre>{@code
 * var memory = ConversationSummaryBufferMemory.builder()
 *         .chatModel(model).maxTokenLimit(100)
 *         .chatMemoryStore(new FileChatMemoryStore(Path.of("conversations")))
 *         .id("alice")
 *         .build();
 * }</pre>
 */
public final class ConversationSummaryBufferMemory extends AbstractConversationMemory {

    private final ProgressiveSummarizer summarizer;
    private final TokenCountEstimator tokenCountEstimator;
    private final int maxTokenLimit;

    /** Counts tokens with the model itself when it can, or jtokkit for an OpenAI model. */
    public ConversationSummaryBufferMemory(ChatModel chatModel, int maxTokenLimit) {
        this(builder().chatModel(chatModel).maxTokenLimit(maxTokenLimit));
    }

    private ConversationSummaryBufferMemory(Builder builder) {
        super(builder);
        if (builder.chatModel == null) {
            throw new IllegalArgumentException("ConversationSummaryBufferMemory needs the chatModel that writes the summary");
        }
        this.summarizer = new ProgressiveSummarizer(builder.chatModel, builder.summaryPrompt,
                humanPrefix(), aiPrefix());
        this.tokenCountEstimator = ProgressiveSummarizer.estimatorFor(builder.chatModel,
                builder.tokenCountEstimator, "ConversationSummaryBufferMemory");
        this.maxTokenLimit = builder.maxTokenLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxTokenLimit() {
        return maxTokenLimit;
    }

    /** The moving summary (LangChain's {@code moving_summary_buffer}); {@code ""} before the first prune. */
    public String movingSummaryBuffer() {
        return storedSummary();
    }

    /** One summarizing call, without touching the memory: {@code existingSummary} extended with {@code messages}. */
    public String predictNewSummary(List<ChatMessage> messages, String existingSummary) {
        return summarizer.predictNewSummary(messages, existingSummary);
    }

    @Override
    protected void prune(State state) {
        List<ChatMessage> kept = new ArrayList<>(state.conversation());
        List<ChatMessage> pruned = new ArrayList<>();
        while (!kept.isEmpty() && tokenCountEstimator.estimateTokenCountInMessages(kept) > maxTokenLimit) {
            pruned.addAll(evictOldest(kept));
        }
        if (pruned.isEmpty()) {
            return;
        }
        String summary = summarizer.predictNewSummary(pruned, state.summary()); // may throw: state untouched
        state.summary(summary);
        state.conversation().clear();
        state.conversation().addAll(kept);
    }

    public static final class Builder extends AbstractConversationMemory.Builder<ConversationSummaryBufferMemory, Builder> {
        private ChatModel chatModel;
        private TokenCountEstimator tokenCountEstimator;
        private int maxTokenLimit = 2000;
        private String summaryPrompt = ProgressiveSummarizer.DEFAULT_PROMPT;

        /** The model that writes the summary. */
        public Builder chatModel(ChatModel chatModel) {
            this.chatModel = Objects.requireNonNull(chatModel, "chatModel");
            return this;
        }

        /** How to count tokens; by default the model itself if it can, or jtokkit for an OpenAI model. */
        public Builder tokenCountEstimator(TokenCountEstimator tokenCountEstimator) {
            this.tokenCountEstimator = Objects.requireNonNull(tokenCountEstimator, "tokenCountEstimator");
            return this;
        }

        /** The budget of verbatim messages in tokens; 2000 by default, as in LangChain. */
        public Builder maxTokenLimit(int maxTokenLimit) {
            if (maxTokenLimit <= 0) {
                throw new IllegalArgumentException("maxTokenLimit must be > 0; got " + maxTokenLimit);
            }
            this.maxTokenLimit = maxTokenLimit;
            return this;
        }

        /** The summarizing prompt; must contain {@code {summary}} and {@code {new_lines}}. */
        public Builder summaryPrompt(String summaryPrompt) {
            this.summaryPrompt = ProgressiveSummarizer.checkPrompt(summaryPrompt);
            return this;
        }

        @Override
        public ConversationSummaryBufferMemory build() {
            return new ConversationSummaryBufferMemory(this);
        }
    }
}
