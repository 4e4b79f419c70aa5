package dev.trellis.retrieval.embeddings;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

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

    /**
     * Where each token of {@code text} (no [CLS] or [SEP]) starts and ends, as UTF-16 offsets into {@code text}:
     * {@code [starts, ends]}. The tokenizer reports code point offsets; they are converted here.
     */
    int[][] spans(String text) {
        CharSpan[] spans = counting.encode(text, false, false).getCharTokenSpans();
        int[] starts = new int[spans.length];
        int[] ends = new int[spans.length];
        int[] utf16 = null;
        if (text.codePointCount(0, text.length()) != text.length()) {
            utf16 = new int[text.codePointCount(0, text.length()) + 1];
            for (int i = 0, cp = 0; i < text.length(); cp++) {
                utf16[cp] = i;
                i += Character.charCount(text.codePointAt(i));
            }
            utf16[utf16.length - 1] = text.length();
        }
        for (int i = 0; i < spans.length; i++) {
            int start = Math.max(0, spans[i].getStart());
            int end = Math.max(start, spans[i].getEnd());
            if (utf16 != null) {
                start = utf16[Math.min(start, utf16.length - 1)];
                end = utf16[Math.min(end, utf16.length - 1)];
            }
            starts[i] = start;
            ends[i] = end;
        }
        return new int[][] {starts, ends};
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
