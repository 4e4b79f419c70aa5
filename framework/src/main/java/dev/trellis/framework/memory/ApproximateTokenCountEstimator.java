package dev.trellis.framework.memory;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;

import java.util.List;

/**
 * Counts tokens with GPT-2's byte-pair encoding ({@code r50k_base}, through jtokkit), the
 * tokenizer LangChain falls back to for a model it cannot count for. A message counts as its
 * transcript line ({@code "Human: text"}), as LangChain's {@code get_num_tokens_from_messages}
 * does. Close enough to budget a memory for models whose tokenizer is unknown; not exact for any
 * model but GPT-2 and GPT-3.
 */
public final class ApproximateTokenCountEstimator implements TokenCountEstimator {

    /** One shared instance: the encoding is immutable and thread-safe. */
    public static final ApproximateTokenCountEstimator GPT2 = new ApproximateTokenCountEstimator();

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    private ApproximateTokenCountEstimator() {
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return estimateTokenCountInText(ChatTranscript.bufferString(List.of(message)));
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
    public String toString() {
        return "ApproximateTokenCountEstimator[r50k_base (GPT-2)]";
    }
}
