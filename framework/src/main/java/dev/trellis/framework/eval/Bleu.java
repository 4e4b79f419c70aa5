package dev.trellis.framework.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * BLEU (Papineni et al., 2002) computed exactly as sacreBLEU 2.x does, with its defaults:
 * the {@code 13a} tokenizer, mixed case, maximum n-gram order 4, {@code exp} smoothing, and the
 * brevity penalty against the closest reference length (the shorter one on a tie), summed over
 * segments. Scores are on sacreBLEU's 0-100 scale.
 *
 * <p>{@link #corpusScore} is sacreBLEU's {@code corpus_bleu} ({@code effectiveOrder} off by
 * default); {@link #sentenceScore} is {@code sentence_bleu}, which always uses the effective
 * order (orders the hypothesis is too short for are left out of the mean).
 *
 * <pre>{@code
 * BleuScore corpus = Bleu.builder().build().corpusScore(hypotheses, List.of(references));
 * double sentence = Bleu.sentenceBleu("the cat sat", List.of("the cat sat down")).score();
 * }</pre>
 */
public final class Bleu {

    /** sacreBLEU's smoothing methods (Chen and Cherry, 2014). */
    public enum SmoothMethod {
        /** No smoothing: a zero precision makes BLEU 0. */
        NONE(0),
        /** Zero counts are replaced by {@code smoothValue} (default 0.1). */
        FLOOR(0.1),
        /** {@code smoothValue} (default 1) is added to counts and totals of orders 2 and up. */
        ADD_K(1),
        /** NIST's method (mteval-v13a): the k-th zero precision becomes 1/(2^k * total). */
        EXP(0);

        private final double defaultValue;

        SmoothMethod(double defaultValue) {
            this.defaultValue = defaultValue;
        }
    }

    /** How text is split into tokens before n-grams are counted. */
    public enum Tokenize {
        /** mteval-v13a's tokenizer, sacreBLEU's default ({@link Tokenizer13a}). */
        THIRTEEN_A,
        /** Whitespace only: for text that is already tokenized. */
        NONE
    }

    private final boolean lowercase;
    private final Tokenize tokenize;
    private final SmoothMethod smoothMethod;
    private final double smoothValue;
    private final int maxNgramOrder;
    private final boolean effectiveOrder;

    private Bleu(Builder b) {
        this.lowercase = b.lowercase;
        this.tokenize = b.tokenize;
        this.smoothMethod = b.smoothMethod;
        this.smoothValue = b.smoothValue != null ? b.smoothValue : b.smoothMethod.defaultValue;
        this.maxNgramOrder = b.maxNgramOrder;
        this.effectiveOrder = b.effectiveOrder;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** sacreBLEU's {@code corpus_bleu(hypotheses, [references])} with every default: one reference per hypothesis. */
    public static BleuScore corpusBleu(List<String> hypotheses, List<String> references) {
        return builder().build().corpusScore(hypotheses, List.of(references));
    }

    /** sacreBLEU's {@code sentence_bleu(hypothesis, references)} with every default. */
    public static BleuScore sentenceBleu(String hypothesis, List<String> references) {
        return builder().build().sentenceScore(hypothesis, references);
    }

    /**
     * Corpus BLEU. {@code referenceStreams} has sacreBLEU's layout: a list of reference streams,
     * each holding one reference per hypothesis ({@code referenceStreams.get(k).get(i)} is the
     * k-th reference of hypothesis i). A null or empty reference means "fewer references for
     * this segment"; a segment with none at all is an error.
     */
    public BleuScore corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(referenceStreams, "referenceStreams");
        if (referenceStreams.isEmpty()) {
            throw new IllegalArgumentException("corpusScore needs at least one reference stream; got none");
        }
        for (int k = 0; k < referenceStreams.size(); k++) {
            List<String> stream = referenceStreams.get(k);
            if (stream == null || stream.size() != hypotheses.size()) {
                throw new IllegalArgumentException("reference stream " + k + " has "
                        + (stream == null ? "no list" : stream.size() + " segments") + " but there are "
                        + hypotheses.size() + " hypotheses; every stream needs one reference per hypothesis"
                        + " (use null or \"\" where a segment has fewer references)");
            }
        }
        long[] stats = new long[2 + 2 * maxNgramOrder];
        for (int i = 0; i < hypotheses.size(); i++) {
            String hypothesis = hypotheses.get(i);
            if (hypothesis == null) {
                throw new IllegalArgumentException("hypothesis " + i + " is null; pass \"\" for an empty output");
            }
            List<String> references = new ArrayList<>();
            for (List<String> stream : referenceStreams) {
                String ref = stream.get(i);
                if (ref != null && !ref.isEmpty()) {
                    references.add(ref);
                }
            }
            if (references.isEmpty()) {
                throw new IllegalArgumentException("segment " + i + " has no reference (all are null or empty);"
                        + " every hypothesis needs at least one non-empty reference");
            }
            addSegmentStatistics(stats, hypothesis, references);
        }
        return compute(stats, effectiveOrder);
    }

    /** Sentence BLEU of one hypothesis against one or more references, with the effective order. */
    public BleuScore sentenceScore(String hypothesis, List<String> references) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        Objects.requireNonNull(references, "references");
        List<String> refs = new ArrayList<>();
        for (String ref : references) {
            if (ref != null && !ref.isEmpty()) {
                refs.add(ref);
            }
        }
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("sentenceScore needs at least one non-empty reference; got " + references);
        }
        long[] stats = new long[2 + 2 * maxNgramOrder];
        addSegmentStatistics(stats, hypothesis, refs);
        return compute(stats, true); // sacreBLEU's sentence_bleu always uses the effective order
    }

    /** The tokens BLEU counts for a segment, after the configured lower-casing and tokenizer. */
    public List<String> tokens(String segment) {
        String text = lowercase ? segment.toLowerCase(Locale.ROOT) : segment;
        text = Tokenizer13a.rstrip(text);
        if (tokenize == Tokenize.THIRTEEN_A) {
            text = Tokenizer13a.tokenize(text);
        }
        return Tokenizer13a.splitWhitespace(text);
    }

    // stats: [sysLen, refLen, correct_1..correct_N, total_1..total_N]
    private void addSegmentStatistics(long[] stats, String hypothesis, List<String> references) {
        Map<List<String>, Integer> refNgrams = new HashMap<>();
        List<Integer> refLengths = new ArrayList<>();
        for (String ref : references) {
            List<String> tokens = tokens(ref);
            refLengths.add(tokens.size());
            // an n-gram may match as often as it occurs in the reference that has it most
            ngrams(tokens).forEach((ngram, count) -> refNgrams.merge(ngram, count, Math::max));
        }
        List<String> hyp = tokens(hypothesis);
        stats[0] += hyp.size();
        stats[1] += closestRefLength(hyp.size(), refLengths);
        ngrams(hyp).forEach((ngram, count) -> {
            int n = ngram.size();
            stats[1 + n] += Math.min(count, refNgrams.getOrDefault(ngram, 0));
            stats[1 + maxNgramOrder + n] += count;
        });
    }

    private Map<List<String>, Integer> ngrams(List<String> tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= maxNgramOrder; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The reference length closest to the hypothesis length; on a tie, the shorter one. */
    static int closestRefLength(int hypLength, List<Integer> refLengths) {
        int closestDiff = -1;
        int closestLength = -1;
        for (int refLength : refLengths) {
            int diff = Math.abs(hypLength - refLength);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLength = refLength;
            } else if (diff == closestDiff && refLength < closestLength) {
                closestLength = refLength;
            }
        }
        return closestLength;
    }

    private BleuScore compute(long[] stats, boolean useEffectiveOrder) {
        int sysLen = (int) stats[0];
        int refLen = (int) stats[1];
        List<Integer> counts = new ArrayList<>();
        List<Integer> totals = new ArrayList<>();
        boolean anyMatch = false;
        for (int n = 1; n <= maxNgramOrder; n++) {
            counts.add((int) stats[1 + n]);
            totals.add((int) stats[1 + maxNgramOrder + n]);
            anyMatch |= stats[1 + n] != 0;
        }
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        double[] precisions = new double[maxNgramOrder];
        if (!anyMatch) {
            return new BleuScore(0.0, counts, totals, boxed(precisions), bp, sysLen, refLen);
        }
        double smoothMteval = 1;
        int effOrder = maxNgramOrder;
        for (int n = 1; n <= maxNgramOrder; n++) {
            double correct = counts.get(n - 1);
            double total = totals.get(n - 1);
            if (smoothMethod == SmoothMethod.ADD_K && n > 1) {
                correct += smoothValue;
                total += smoothValue;
            }
            if (total == 0) {
                break; // the hypotheses have no n-grams of this order (nor higher)
            }
            if (useEffectiveOrder) {
                effOrder = n;
            }
            if (correct == 0) {
                if (smoothMethod == SmoothMethod.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total);
                } else if (smoothMethod == SmoothMethod.FLOOR) {
                    precisions[n - 1] = 100.0 * smoothValue / total;
                }
            } else {
                precisions[n - 1] = 100.0 * correct / total;
            }
        }
        double logSum = 0;
        for (int n = 0; n < effOrder; n++) {
            logSum += precisions[n] == 0.0 ? -9999999999.0 : Math.log(precisions[n]); // sacreBLEU's my_log
        }
        double score = bp * Math.exp(logSum / effOrder);
        return new BleuScore(score, counts, totals, boxed(precisions), bp, sysLen, refLen);
    }

    private static List<Double> boxed(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return Collections.unmodifiableList(list);
    }

    /** Builder for {@link Bleu}; every default is sacreBLEU's. */
    public static final class Builder {
        private boolean lowercase;
        private Tokenize tokenize = Tokenize.THIRTEEN_A;
        private SmoothMethod smoothMethod = SmoothMethod.EXP;
        private Double smoothValue;
        private int maxNgramOrder = 4;
        private boolean effectiveOrder;

        private Builder() {
        }

        /** Lower-case hypotheses and references before tokenizing (sacreBLEU's {@code -lc}). Default false. */
        public Builder lowercase(boolean lowercase) {
            this.lowercase = lowercase;
            return this;
        }

        public Builder tokenize(Tokenize tokenize) {
            this.tokenize = Objects.requireNonNull(tokenize, "tokenize");
            return this;
        }

        public Builder smoothMethod(SmoothMethod smoothMethod) {
            this.smoothMethod = Objects.requireNonNull(smoothMethod, "smoothMethod");
            return this;
        }

        /** The value for {@code FLOOR} and {@code ADD_K}; unset means their defaults 0.1 and 1. */
        public Builder smoothValue(double smoothValue) {
            if (!(smoothValue >= 0) || Double.isInfinite(smoothValue)) {
                throw new IllegalArgumentException("smoothValue must be a finite number >= 0; got " + smoothValue);
            }
            this.smoothValue = smoothValue;
            return this;
        }

        public Builder maxNgramOrder(int maxNgramOrder) {
            if (maxNgramOrder < 1) {
                throw new IllegalArgumentException("maxNgramOrder must be at least 1; got " + maxNgramOrder);
            }
            this.maxNgramOrder = maxNgramOrder;
            return this;
        }

        /** For {@link #corpusScore}: leave out orders with no n-grams at all. Default false, as sacreBLEU. */
        public Builder effectiveOrder(boolean effectiveOrder) {
            this.effectiveOrder = effectiveOrder;
            return this;
        }

        public Bleu build() {
            return new Bleu(this);
        }
    }
}
