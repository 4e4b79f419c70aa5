package dev.trellis.framework.memory;

import dev.langchain4j.model.TokenCountEstimator;

import java.util.Objects;

/**
 * Keeps the most recent messages that fit in a token budget (LangChain's
 * {@code ConversationTokenBufferMemory}): when a turn completes it drops the oldest message while
 * the conversation counts more than {@code maxTokenLimit} tokens.
 *
 * <p>Counts come from a real tokenizer: langchain4j's {@code OpenAiTokenCountEstimator} (jtokkit,
 * offline) for OpenAI models, or whatever {@link TokenCountEstimator} a local model supplies. As
 * in LangChain, the budget covers the conversation: a user system message is not counted.
 *
 * <pre>{@code
 * var memory = new ConversationTokenBufferMemory(new OpenAiTokenCountEstimator(GPT_4_O_MINI), 50);
 * }</pre>
 */
public final class ConversationTokenBufferMemory extends AbstractConversationMemory {

    private final TokenCountEstimator tokenCountEstimator;
    private final int maxTokenLimit;

    public ConversationTokenBufferMemory(TokenCountEstimator tokenCountEstimator, int maxTokenLimit) {
        this(builder().tokenCountEstimator(tokenCountEstimator).maxTokenLimit(maxTokenLimit));
    }

    private ConversationTokenBufferMemory(Builder builder) {
        super(builder);
        if (builder.tokenCountEstimator == null) {
            throw new IllegalArgumentException("ConversationTokenBufferMemory needs a tokenCountEstimator "
                    + "(e.g. new OpenAiTokenCountEstimator(\"gpt-4o-mini\") or a local model's tokenizer)");
        }
        this.tokenCountEstimator = builder.tokenCountEstimator;
        this.maxTokenLimit = builder.maxTokenLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxTokenLimit() {
        return maxTokenLimit;
    }

    public TokenCountEstimator tokenCountEstimator() {
        return tokenCountEstimator;
    }

    @Override
    protected void prune(State state) {
        while (!state.conversation().isEmpty()
                && tokenCountEstimator.estimateTokenCountInMessages(state.conversation()) > maxTokenLimit) {
            evictOldest(state.conversation());
        }
    }

    public static final class Builder extends AbstractConversationMemory.Builder<ConversationTokenBufferMemory, Builder> {
        private TokenCountEstimator tokenCountEstimator;
        private int maxTokenLimit = 2000;

        public Builder tokenCountEstimator(TokenCountEstimator tokenCountEstimator) {
            this.tokenCountEstimator = Objects.requireNonNull(tokenCountEstimator, "tokenCountEstimator");
            return this;
        }

        /** The budget in tokens; 2000 by default, as in LangChain. */
        public Builder maxTokenLimit(int maxTokenLimit) {
            if (maxTokenLimit <= 0) {
                throw new IllegalArgumentException("maxTokenLimit must be > 0; got " + maxTokenLimit);
            }
            this.maxTokenLimit = maxTokenLimit;
            return this;
        }

        @Override
        public ConversationTokenBufferMemory build() {
            return new ConversationTokenBufferMemory(this);
        }
    }
}
