package dev.trellis.retrieval.embeddings;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The model's own tokenizer ({@code tokenizer.json} from langchain4j's jar, through DJL's Hugging Face
 * tokenizers, offline). Two instances of the same vocabulary: one truncating at {@link MiniLmModel#MAX_TOKENS}
 * exactly as langchain4j does (what the model sees), one that never truncates (for counting).
 */
final class MiniLmTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer truncating;
    private final HuggingFaceTokenizer counting;

    MiniLmTokenizer(MiniLmModel model) {
        // padding=false: the bundled tokenizer.json pads every text to 128; we pad per batch instead.
        this.truncating = load(model, Map.of("padding", "false"));
        this.counting = load(model, Map.of("padding", "false", "truncation", "false"));
    }

    private static HuggingFaceTokenizer load(MiniLmModel model, Map<String, String> options) {
        try (InputStream json = model.tokenizerJson()) {
            return HuggingFaceTokenizer.newInstance(json, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + model.modelName(), e);
        }
    }

    /** What the model sees: ids, mask and type ids with [CLS]/[SEP], cut at 128 tokens. */
    Encoding encodeForModel(String text) {
        return truncating.encode(text, true, false);
    }

    /** Tokens of {@code text} without truncation; with or without [CLS] and [SEP]. */
    int count(String text, boolean withSpecialTokens) {
        return counting.encode(text, withSpecialTokens, false).getIds().length;
    }

    /** The untruncated encoding, to locate where a too-long text is cut. */
    Encoding encodeFull(String text) {
        return counting.encode(text, true, false);
    }

    @Override
    public void close() {
        truncating.close();
        counting.close();
    }
}
