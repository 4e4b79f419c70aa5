package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.TokenCountEstimator;

/**
 * Counts tokens with all-MiniLM-L6-v2's own tokenizer, never truncating (the bundled tokenizer.json would
 * cap every count at 128). Counts exclude [CLS] and [SEP]; the model adds those two to every input, so a
 * text fits the model when its count is at most {@link #maxTextTokens()}.
 */
public final class MiniLmTokenCountEstimator implements TokenCountEstimator, AutoCloseable {

    private final MiniLmTokenizer tokenizer;

    public MiniLmTokenCountEstimator() {
        this(MiniLmModel.ALL_MINILM_L6_V2);
    }

    public MiniLmTokenCountEstimator(MiniLmModel model) {
        this.tokenizer = new MiniLmTokenizer(model);
    }

    /** Tokens a text may have so that, with [CLS] and [SEP], it fits the model's 128. */
    public static int maxTextTokens() {
        return MiniLmModel.MAX_TOKENS - 2;
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return tokenizer.count(text, false);
    }

    /** Tokens the model would read for {@code text} if it did not truncate: [CLS] and [SEP] included. */
    public int countModelInputTokens(String text) {
        return tokenizer.count(text, true);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        String text;
        if (message instanceof UserMessage user) {
            text = user.hasSingleText() ? user.singleText() : user.contents().toString();
        } else if (message instanceof SystemMessage system) {
            text = system.text();
        } else if (message instanceof AiMessage ai) {
            text = ai.text() == null ? "" : ai.text();
        } else {
            text = message.toString();
        }
        return estimateTokenCountInText(text);
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage message : messages) {
            total += estimateTokenCountInMessage(message);
        }
        return total;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
