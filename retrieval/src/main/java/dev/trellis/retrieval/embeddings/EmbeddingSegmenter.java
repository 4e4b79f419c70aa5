package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.segment.TextSegment;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits documents into segments that all-MiniLM-L6-v2 reads whole: at most 128 tokens each, [CLS] and
 * [SEP] included, counted with the model's own tokenizer. Like langchain4j's recursive splitter it cuts at
 * paragraphs first, then lines, sentences, words and finally between tokens, packing neighbouring pieces
 * into a segment while they fit.
 *
 * <p>It runs in time linear in the document: the document is tokenized once (in windows of at most
 * {@value #WINDOW_CHARS} characters), a piece's token count is read off that one tokenization (the model's
 * tokenizer cuts words at whitespace and punctuation, so the tokens of a piece cut at such a boundary are
 * exactly the document's tokens inside it), and every returned segment is measured once more with the
 * tokenizer. The rare segment that a cut inside a word pushed over the limit is split again, so the limit
 * holds for every segment returned.
 *
 * <p>With the default overlap of 0, the segments of a document, joined with single spaces, are the document's
 * text with whitespace runs collapsed at the cuts: no words are dropped. Segments keep the document's metadata
 * plus {@code index} (position within the document).
 */
public final class EmbeddingSegmenter implements DocumentSplitter, AutoCloseable {

    private static final int MAX_RESPLITS = 8;
    /** Longest stretch of text tokenized in one call; cut at whitespace where possible. */
    static final int WINDOW_CHARS = 1 << 16;
    /** Paragraphs, lines, sentences, words: the separators tried in turn (each stays with the piece before it). */
    private static final Pattern[] SEPARATORS = {
            Pattern.compile("\\n[ \\t\\x0B\\f\\r]*\\n\\s*"),
            Pattern.compile("\\n\\s*"),
            Pattern.compile("(?<=[.!?])\\s+"),
            Pattern.compile("\\s+")};

    private final MiniLmTokenCountEstimator estimator;
    private final MiniLmTokenizer tokenizer;
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
        this.tokenizer = new MiniLmTokenizer(b.model);
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
        String text = document.text();
        List<String> pieces = new ArrayList<>();
        splitText(text, maxTokens, 0, pieces);
        List<TextSegment> segments = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            segments.add(TextSegment.from(pieces.get(i), document.metadata().copy().put("index", String.valueOf(i))));
        }
        return segments;
    }

    /** Splits {@code text} into pieces of at most {@code limit} model tokens; each is counted once more to be sure. */
    private void splitText(String text, int limit, int depth, List<String> out) {
        Tokens tokens = Tokens.of(text, tokenizer);
        if (tokens.count() + 2 <= limit && text.length() <= WINDOW_CHARS) {
            out.add(text); // fits whole, and the count came from one tokenization of the whole text
            return;
        }
        List<String> candidates = new ArrayList<>();
        new Packer(text, tokens, limit - 2, Math.min(overlapTokens, (limit - 2) / 2), candidates)
                .split(0, text.length(), 0);
        for (String piece : candidates) {
            int n = tokenizer.count(piece, true);
            if (n <= limit) {
                out.add(piece);
            } else if (depth < MAX_RESPLITS) {
                // a cut inside a word tokenizes differently on its own: split that piece with a smaller budget
                splitText(piece, limit - 8, depth + 1, out);
            } else {
                throw new IllegalStateException("cannot split a segment of " + n + " tokens below " + limit
                        + " tokens: \"" + piece.substring(0, Math.min(80, piece.length())) + "...\"");
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
        tokenizer.close();
    }

    /** Where each token of a text sits: UTF-16 offsets, in order, from one pass of the tokenizer. */
    private record Tokens(int[] starts, int[] ends, int count) {

        static Tokens of(String text, MiniLmTokenizer tokenizer) {
            int[] starts = new int[64];
            int[] ends = new int[64];
            int n = 0;
            for (int from = 0; from < text.length(); ) {
                int to = windowEnd(text, from);
                int[][] spans = tokenizer.spans(text.substring(from, to));
                if (n + spans[0].length > starts.length) {
                    int size = Math.max(starts.length * 2, n + spans[0].length);
                    starts = java.util.Arrays.copyOf(starts, size);
                    ends = java.util.Arrays.copyOf(ends, size);
                }
                for (int i = 0; i < spans[0].length; i++) {
                    starts[n] = from + spans[0][i];
                    ends[n] = from + spans[1][i];
                    n++;
                }
                from = to;
            }
            return new Tokens(starts, ends, n);
        }

        /** The end of the window starting at {@code from}: after the last whitespace before the limit, if any. */
        private static int windowEnd(String text, int from) {
            int limit = from + WINDOW_CHARS;
            if (limit >= text.length()) {
                return text.length();
            }
            for (int i = limit; i > limit - WINDOW_CHARS / 4; i--) {
                if (Character.isWhitespace(text.charAt(i - 1))) {
                    return i;
                }
            }
            return Character.isLowSurrogate(text.charAt(limit)) ? limit + 1 : limit;
        }

        /** Tokens lying wholly inside [from, to). */
        int within(int from, int to) {
            int first = firstAtOrAfter(starts, from);
            int last = firstAfter(ends, to);
            return Math.max(0, last - first);
        }

        private int firstAtOrAfter(int[] values, int x) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (values[mid] < x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        private int firstAfter(int[] values, int x) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (values[mid] <= x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /**
     * Cuts a range at the coarsest separator that yields pieces of at most {@code budget} tokens, packs
     * neighbouring pieces while they fit, and goes one separator finer for a piece that alone is too big.
     */
    private static final class Packer {
        private final String text;
        private final Tokens tokens;
        private final int budget;
        private final int overlap;
        private final List<String> out;

        Packer(String text, Tokens tokens, int budget, int overlap, List<String> out) {
            this.text = text;
            this.tokens = tokens;
            this.budget = budget;
            this.overlap = overlap;
            this.out = out;
        }

        void split(int from, int to, int level) {
            List<int[]> parts = cut(from, to, level);
            List<int[]> current = new ArrayList<>(); // the parts packed into the segment being built
            for (int[] part : parts) {
                if (tokens.within(part[0], part[1]) > budget) {
                    emit(current);
                    current.clear();
                    split(part[0], part[1], level + 1);
                    continue;
                }
                if (current.isEmpty() || tokens.within(current.get(0)[0], part[1]) <= budget) {
                    current.add(part);
                    continue;
                }
                emit(current);
                List<int[]> next = new ArrayList<>();
                if (overlap > 0) {
                    // repeat the last parts of the previous segment, as many as the overlap and the budget allow
                    for (int i = current.size() - 1; i > 0; i--) {
                        int[] p = current.get(i);
                        if (tokens.within(p[0], current.get(current.size() - 1)[1]) > overlap
                                || tokens.within(p[0], part[1]) > budget) {
                            break;
                        }
                        next.add(0, p);
                    }
                }
                next.add(part);
                current = next;
            }
            emit(current);
        }

        private void emit(List<int[]> parts) {
            if (parts.isEmpty()) {
                return;
            }
            String piece = text.substring(parts.get(0)[0], parts.get(parts.size() - 1)[1]).strip();
            if (!piece.isEmpty()) {
                out.add(piece);
            }
        }

        /** Contiguous parts covering [from, to): at a separator of this level, or between tokens past the last. */
        private List<int[]> cut(int from, int to, int level) {
            List<int[]> parts = new ArrayList<>();
            int start = from;
            if (level < SEPARATORS.length) {
                Matcher m = SEPARATORS[level].matcher(text).region(from, to);
                while (m.find()) {
                    if (m.end() > start && m.end() < to) {
                        parts.add(new int[] {start, m.end()});
                        start = m.end();
                    }
                }
            } else {
                // between tokens: only a word of more tokens than the budget gets here
                int first = tokens.firstAtOrAfter(tokens.starts, from);
                for (int t = first + 1; t < tokens.count && tokens.starts[t] < to; t++) {
                    if (tokens.starts[t] > start) {
                        parts.add(new int[] {start, tokens.starts[t]});
                        start = tokens.starts[t];
                    }
                }
            }
            parts.add(new int[] {start, to});
            return parts;
        }
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
