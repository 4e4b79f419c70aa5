package dev.trellis.finetune.tokenizer;

import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;

/**
 * langchain4j's {@link TokenCountEstimator} over a {@link TrellisTokenizer}, so token-window memories
 * ({@code TokenWindowChatMemory}, Trellis' {@code ConversationTokenBufferMemory}) count a local
 * model's tokens exactly instead of estimating with another model's tokenizer.
 *
 * <p>A message is counted as the tokens of the text the model actually sees: by default its text;
 * give a {@link #builder()} renderer that applies the model's prompt template (role headers and
 * all) to make counts match the prompt byte for byte.
 */
public final class TokenizerTokenCountEstimator implements TokenCountEstimator {

    private final TrellisTokenizer tokenizer;
    private final Function<ChatMessage, String> renderer;
    private final int perMessageOverhead;

    private TokenizerTokenCountEstimator(Builder b) {
        this.tokenizer = Objects.requireNonNull(b.tokenizer, "tokenizer");
        this.renderer = b.renderer;
        this.perMessageOverhead = b.perMessageOverhead;
    }

    /** Counts the plain text of each message with {@code tokenizer}. */
    public static TokenizerTokenCountEstimator of(TrellisTokenizer tokenizer) {
        return builder().tokenizer(tokenizer).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return tokenizer.countTokens(text);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return tokenizer.countTokens(renderer.apply(message)) + perMessageOverhead;
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage m : messages) {
            total += estimateTokenCountInMessage(m);
        }
        return total;
    }

    /** The text of a message: user/system/AI text, tool results, and tool-call arguments. */
    public static String plainText(ChatMessage message) {
        if (message instanceof UserMessage u) {
            return u.contents().stream().filter(TextContent.class::isInstance)
                    .map(c -> ((TextContent) c).text()).collect(Collectors.joining("\n"));
        }
        if (message instanceof SystemMessage s) {
            return s.text();
        }
        if (message instanceof AiMessage a) {
            StringBuilder sb = new StringBuilder(a.text() == null ? "" : a.text());
            a.toolExecutionRequests().forEach(r -> sb.append(r.name()).append(r.arguments()));
            return sb.toString();
        }
        if (message instanceof ToolExecutionResultMessage t) {
            return t.text();
        }
        if (message instanceof CustomMessage c) {
            return String.valueOf(c.attributes());
        }
        throw new IllegalArgumentException("cannot count tokens of message type " + message.type());
    }

    /** Settings for {@link TokenizerTokenCountEstimator}. */
    public static final class Builder {
        private TrellisTokenizer tokenizer;
        private Function<ChatMessage, String> renderer = TokenizerTokenCountEstimator::plainText;
        private int perMessageOverhead;

        public Builder tokenizer(TrellisTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** How a message appears in the model's prompt (its chat template); default: its plain text. */
        public Builder renderer(Function<ChatMessage, String> renderer) {
            this.renderer = Objects.requireNonNull(renderer, "renderer");
            return this;
        }

        /** Tokens added per message beyond the rendered text (e.g. a separator token); default 0. */
        public Builder perMessageOverhead(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("perMessageOverhead must be >= 0, got " + tokens);
            }
            this.perMessageOverhead = tokens;
            return this;
        }

        public TokenizerTokenCountEstimator build() {
            return new TokenizerTokenCountEstimator(this);
        }
    }
}
