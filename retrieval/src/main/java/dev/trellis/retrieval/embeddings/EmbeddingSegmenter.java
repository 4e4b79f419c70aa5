package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits documents into segments that all-MiniLM-L6-v2 reads whole: at most 128 tokens each, [CLS] and
 * [SEP] included, counted with the model's own tokenizer. Uses langchain4j's
 * {@link DocumentSplitters#recursive} (paragraphs, lines, sentences, words, characters) with a
 * {@link MiniLmTokenCountEstimator}, then measures every segment again and re-splits the rare one that
 * sub-word tokenisation pushed over the limit, so the limit holds for every segment it returns.
 *
 * <p>With the default overlap of 0, the segments of a document, joined with single spaces, are the document's
 * text with whitespace runs collapsed at the cuts: no words are dropped. Segments keep the document's metadata
 * plus {@code index} (position within the document).
 */
public final class EmbeddingSegmenter implements DocumentSplitter, AutoCloseable {

    private static final int MAX_RESPLITS = 8;

    private final MiniLmTokenCountEstimator estimator;
    private final int maxTokens;
    private final int overlapTokens;

    private EmbeddingSegmenter(Builder b) {
        if (b.maxTokens < 8 || b.maxTokens > MiniLmModel.MAX_TOKENS) {
            throw new IllegalArgumentException("maxTokens must be in 8.." + MiniLmModel.MAX_TOKENS
                    + " (the model reads 128 tokens, [CLS] and [SEP] included), was " + b.maxTokens);
        }
        if (b.overlapTokens < 0 || b.overlapTokens >= b.maxTokens / 2) {
            throw new IllegalArgumentException("overlapTokens must be in 0.." + (b.maxTokens / 2 - 1)
                    + ", was " + b.overlapTokens);
        }
        this.estimator = new MiniLmTokenCountEstimator(b.model);
        this.maxTokens = b.maxTokens;
        this.overlapTokens = b.overlapTokens;
    }

    /** Segments of at most 128 model tokens, no overlap. */
    public static EmbeddingSegmenter create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<TextSegment> split(Document document) {
        List<TextSegment> pieces = new ArrayList<>();
        if (estimator.countModelInputTokens(document.text()) <= maxTokens) {
            pieces.add(TextSegment.from(document.text())); // fits whole: skip the splitter's many token counts
        } else {
            splitWithin(document, maxTokens, 0, pieces);
        }
        List<TextSegment> segments = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            TextSegment piece = pieces.get(i);
            segments.add(TextSegment.from(piece.text(), document.metadata().copy().put("index", String.valueOf(i))));
        }
        return segments;
    }

    private void splitWithin(Document document, int budget, int depth, List<TextSegment> out) {
        // the estimator counts text tokens only; the model adds [CLS] and [SEP]
        int overlap = Math.min(overlapTokens, (budget - 2) / 2);
        DocumentSplitter splitter = DocumentSplitters.recursive(budget - 2, overlap, estimator);
        for (TextSegment segment : splitter.split(document)) {
            int tokens = estimator.countModelInputTokens(segment.text());
            if (tokens <= maxTokens) {
                out.add(segment);
            } else if (depth < MAX_RESPLITS) {
                splitWithin(Document.from(segment.text(), document.metadata()), budget - 8, depth + 1, out);
            } else {
                throw new IllegalStateException("cannot split a segment of " + tokens + " tokens below " + maxTokens
                        + " tokens: \"" + segment.text().substring(0, Math.min(80, segment.text().length())) + "...\"");
            }
        }
    }

    /** Tokens the model would read for {@code text}, [CLS] and [SEP] included, without truncation. */
    public int countModelInputTokens(String text) {
        return estimator.countModelInputTokens(text);
    }

    /** The most tokens a returned segment has, [CLS] and [SEP] included. */
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        estimator.close();
    }

    /** Options for {@link EmbeddingSegmenter}. */
    public static final class Builder {
        private MiniLmModel model = MiniLmModel.ALL_MINILM_L6_V2;
        private int maxTokens = MiniLmModel.MAX_TOKENS;
        private int overlapTokens;

        /** Whose tokenizer counts (both MiniLM variants share one vocabulary). */
        public Builder model(MiniLmModel model) {
            this.model = model;
            return this;
        }

        /** Segment size in model tokens, [CLS] and [SEP] included: 8..128, default 128. */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** Tokens repeated between neighbouring segments, default 0. */
        public Builder overlapTokens(int overlapTokens) {
            this.overlapTokens = overlapTokens;
            return this;
        }

        public EmbeddingSegmenter build() {
            return new EmbeddingSegmenter(this);
        }
    }
}
