package dev.trellis.framework.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum with the rules of Google's {@code rouge-score} package
 * ({@code rouge_scorer.RougeScorer}), so figures compare with the ones Python users publish.
 *
 * <ul>
 *   <li>Tokens come from {@link RougeTokenizer} (lower-case, non-alphanumerics to spaces,
 *       optional Porter stemming of tokens longer than 3 characters).</li>
 *   <li>{@code rougeN}: clipped n-gram overlap; precision over the prediction's n-grams, recall
 *       over the target's.</li>
 *   <li>{@code rougeL}: longest common subsequence over the whole texts.</li>
 *   <li>{@code rougeLsum}: summary-level LCS; texts are split into sentences on newlines and each
 *       target sentence is matched by the union of its LCS with every predicted sentence, each
 *       token counted at most as often as it occurs in both texts.</li>
 *   <li>{@link #scoreMulti}: against several targets, each type keeps the score with the best F
 *       (the first one on ties).</li>
 * </ul>
 *
 * <pre>{@code
 * RougeScorer scorer = RougeScorer.builder().rougeTypes("rouge1", "rougeL").useStemmer(true).build();
 * Map<String, RougeScore> scores = scorer.score("The quick brown fox", "the fast brown foxes");
 * }</pre>
 */
public final class RougeScorer {

    public static final String ROUGE_L = "rougeL";
    public static final String ROUGE_LSUM = "rougeLsum";
    private static final Pattern ROUGE_N = Pattern.compile("rouge[0-9]");

    private final List<String> rougeTypes;
    private final RougeTokenizer tokenizer;

    private RougeScorer(Builder builder) {
        this.rougeTypes = List.copyOf(builder.rougeTypes);
        this.tokenizer = builder.useStemmer ? RougeTokenizer.stemming() : RougeTokenizer.plain();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A scorer for the given types without stemming, like {@code RougeScorer(types)}. */
    public static RougeScorer of(String... rougeTypes) {
        return builder().rougeTypes(rougeTypes).build();
    }

    public List<String> rougeTypes() {
        return rougeTypes;
    }

    /** Scores a prediction against one target; the map is in the order of {@link #rougeTypes()}. */
    public Map<String, RougeScore> score(String target, String prediction) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(prediction, "prediction");
        List<String> targetTokens = null;
        List<String> predictionTokens = null;
        Map<String, RougeScore> result = new LinkedHashMap<>();
        for (String type : rougeTypes) {
            RougeScore score;
            if (type.equals(ROUGE_LSUM)) {
                score = summaryLevelLcs(sentences(target), sentences(prediction));
            } else {
                if (targetTokens == null) {
                    targetTokens = tokenizer.tokenize(target);
                    predictionTokens = tokenizer.tokenize(prediction);
                }
                score = type.equals(ROUGE_L)
                        ? lcsScore(targetTokens, predictionTokens)
                        : ngramScore(ngrams(targetTokens, n(type)), ngrams(predictionTokens, n(type)));
            }
            result.put(type, score);
        }
        return Collections.unmodifiableMap(result);
    }

    /** Scores against several targets, keeping per type the score with the highest F. */
    public Map<String, RougeScore> scoreMulti(List<String> targets, String prediction) {
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("scoreMulti needs at least one target; got an empty list");
        }
        List<Map<String, RougeScore>> all = new ArrayList<>();
        for (String target : targets) {
            all.add(score(target, prediction));
        }
        Map<String, RougeScore> best = new LinkedHashMap<>();
        for (String type : rougeTypes) {
            RougeScore max = all.get(0).get(type);
            for (Map<String, RougeScore> scores : all) {
                if (scores.get(type).fmeasure() > max.fmeasure()) {
                    max = scores.get(type); // strictly greater: ties keep the first, like numpy's argmax
                }
            }
            best.put(type, max);
        }
        return Collections.unmodifiableMap(best);
    }

    /** Arithmetic mean of precision, recall and F per type over many scored pairs. */
    public static Map<String, RougeScore> mean(List<Map<String, RougeScore>> scores) {
        Objects.requireNonNull(scores, "scores");
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("mean needs at least one score map; got an empty list");
        }
        Map<String, RougeScore> mean = new LinkedHashMap<>();
        for (String type : scores.get(0).keySet()) {
            double p = 0, r = 0, f = 0;
            for (Map<String, RougeScore> map : scores) {
                RougeScore s = map.get(type);
                if (s == null) {
                    throw new IllegalArgumentException("score maps disagree: one lacks '" + type
                            + "' (has " + map.keySet() + "); score every pair with the same scorer");
                }
                p += s.precision();
                r += s.recall();
                f += s.fmeasure();
            }
            int n = scores.size();
            mean.put(type, new RougeScore(p / n, r / n, f / n));
        }
        return Collections.unmodifiableMap(mean);
    }

    // ---- ROUGE-N -----------------------------------------------------------------------------

    private static int n(String type) {
        return type.charAt(5) - '0';
    }

    private static Map<String, Integer> ngrams(List<String> tokens, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            // tokens are [a-z0-9]+, so a space joins them without ambiguity
            counts.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    private static RougeScore ngramScore(Map<String, Integer> target, Map<String, Integer> prediction) {
        int overlap = 0;
        int targetCount = 0;
        int predictionCount = 0;
        for (Map.Entry<String, Integer> e : target.entrySet()) {
            overlap += Math.min(e.getValue(), prediction.getOrDefault(e.getKey(), 0));
            targetCount += e.getValue();
        }
        for (int c : prediction.values()) {
            predictionCount += c;
        }
        double precision = (double) overlap / Math.max(predictionCount, 1);
        double recall = (double) overlap / Math.max(targetCount, 1);
        return RougeScore.of(precision, recall);
    }

    // ---- ROUGE-L -----------------------------------------------------------------------------

    private static RougeScore lcsScore(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return RougeScore.ZERO;
        }
        int lcs = lcsTable(target, prediction)[target.size()][prediction.size()];
        return RougeScore.of((double) lcs / prediction.size(), (double) lcs / target.size());
    }

    private static int[][] lcsTable(List<String> ref, List<String> can) {
        int[][] t = new int[ref.size() + 1][can.size() + 1];
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= can.size(); j++) {
                t[i][j] = ref.get(i - 1).equals(can.get(j - 1))
                        ? t[i - 1][j - 1] + 1
                        : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t;
    }

    /** Indices into ref of one LCS, read back exactly as rouge-score's _backtrack_norec does. */
    private static List<Integer> lcsIndices(List<String> ref, List<String> can) {
        int[][] t = lcsTable(ref, can);
        int i = ref.size();
        int j = can.size();
        List<Integer> indices = new ArrayList<>();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(can.get(j - 1))) {
                indices.add(i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        Collections.reverse(indices);
        return indices;
    }

    // ---- ROUGE-Lsum --------------------------------------------------------------------------

    private List<List<String>> sentences(String text) {
        List<List<String>> sentences = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                sentences.add(tokenizer.tokenize(line)); // may be empty: it still counts as a sentence
            }
        }
        return sentences;
    }

    private static RougeScore summaryLevelLcs(List<List<String>> refSentences, List<List<String>> canSentences) {
        if (refSentences.isEmpty() || canSentences.isEmpty()) {
            return RougeScore.ZERO;
        }
        int m = refSentences.stream().mapToInt(List::size).sum();
        int n = canSentences.stream().mapToInt(List::size).sum();
        if (m == 0 || n == 0) {
            return RougeScore.ZERO;
        }
        Map<String, Integer> refCounts = new HashMap<>();
        Map<String, Integer> canCounts = new HashMap<>();
        refSentences.forEach(s -> s.forEach(t -> refCounts.merge(t, 1, Integer::sum)));
        canSentences.forEach(s -> s.forEach(t -> canCounts.merge(t, 1, Integer::sum)));

        int hits = 0;
        for (List<String> ref : refSentences) {
            TreeSet<Integer> union = new TreeSet<>();
            for (List<String> can : canSentences) {
                union.addAll(lcsIndices(ref, can));
            }
            for (int index : union) {
                String token = ref.get(index);
                // each token is credited at most as often as it occurs on both sides (ROUGE 1.5.5)
                if (canCounts.getOrDefault(token, 0) > 0 && refCounts.getOrDefault(token, 0) > 0) {
                    hits++;
                    canCounts.merge(token, -1, Integer::sum);
                    refCounts.merge(token, -1, Integer::sum);
                }
            }
        }
        return RougeScore.of((double) hits / n, (double) hits / m);
    }

    /** Builder for {@link RougeScorer}. */
    public static final class Builder {
        private List<String> rougeTypes = List.of("rouge1", "rouge2", ROUGE_L, ROUGE_LSUM);
        private boolean useStemmer;

        private Builder() {
        }

        /** Types to compute: {@code rouge1}..{@code rouge9}, {@code rougeL}, {@code rougeLsum}. Default: all four common ones. */
        public Builder rougeTypes(String... types) {
            return rougeTypes(Arrays.asList(types));
        }

        public Builder rougeTypes(List<String> types) {
            Objects.requireNonNull(types, "types");
            if (types.isEmpty()) {
                throw new IllegalArgumentException("rougeTypes is empty; name at least one of rouge1..rouge9, rougeL, rougeLsum");
            }
            for (String type : types) {
                if (type == null || !(type.equals(ROUGE_L) || type.equals(ROUGE_LSUM)
                        || (ROUGE_N.matcher(type).matches() && !type.equals("rouge0")))) {
                    throw new IllegalArgumentException("Invalid rouge type '" + type
                            + "'; valid types are rouge1..rouge9, rougeL and rougeLsum (case-sensitive)");
                }
            }
            this.rougeTypes = List.copyOf(types);
            return this;
        }

        /** Porter-stem tokens longer than 3 characters before matching (rouge-score's {@code use_stemmer}). */
        public Builder useStemmer(boolean useStemmer) {
            this.useStemmer = useStemmer;
            return this;
        }

        public RougeScorer build() {
            return new RougeScorer(this);
        }
    }
}
