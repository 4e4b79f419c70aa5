package dev.trellis.finetune.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The course's error analysis of generated answers (misspelling, too long, repetitive) as three
 * simple, stated rules. They are heuristics, not a spell checker; {@link #rules()} spells them out
 * so every report carries the rule next to the count.
 *
 * <ul>
 *   <li><b>too long</b>: the prediction has more than {@code lengthRatio} (default 2) times as many
 *       words as the reference.</li>
 *   <li><b>repetitive</b>: some run of {@code ngram} (default 2) consecutive words occurs at least
 *       {@code minRepeats} (default 3) times in the prediction.</li>
 *   <li><b>misspelling</b>: a prediction word of at least 4 letters that is not in the vocabulary
 *       (every word of the evaluation set's questions and references, plus any extra words given)
 *       but is within edit distance 1 (words of 4-7 letters) or 2 (8 letters or more) of a
 *       vocabulary word. A word far from every vocabulary word is not counted: it may be right.</li>
 * </ul>
 *
 * Words are maximal runs of letters, digits and apostrophes, lower-cased.
 */
public final class ErrorAnalyzer {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

    private final double lengthRatio;
    private final int ngram;
    private final int minRepeats;
    private final Set<String> vocabulary;
    private final Map<Integer, List<String>> vocabularyByLength;

    private ErrorAnalyzer(Builder b) {
        this.lengthRatio = b.lengthRatio;
        this.ngram = b.ngram;
        this.minRepeats = b.minRepeats;
        this.vocabulary = Set.copyOf(b.vocabulary);
        Map<Integer, List<String>> byLength = new HashMap<>();
        for (String w : vocabulary) {
            byLength.computeIfAbsent(w.length(), k -> new ArrayList<>()).add(w);
        }
        this.vocabularyByLength = byLength;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of this analyzer whose vocabulary also holds the words of {@code texts}. */
    public ErrorAnalyzer withVocabularyFrom(Collection<String> texts) {
        Builder b = new Builder();
        b.lengthRatio = lengthRatio;
        b.ngram = ngram;
        b.minRepeats = minRepeats;
        b.vocabulary.addAll(vocabulary);
        return b.vocabularyFrom(texts).build();
    }

    /** Lower-cased words of {@code text}, as every rule counts them. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The three rules in words, as reports print them. */
    public Map<String, String> rules() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("misspelling", "a word of >= 4 letters not in the vocabulary of the evaluation questions and references ("
                + vocabulary.size() + " words) but within edit distance 1 (4-7 letters) or 2 (>= 8 letters) of one of them");
        r.put("too_long", "more than " + fmt(lengthRatio) + " x the reference's word count");
        r.put("repetitive", "some " + ngram + "-word sequence occurs >= " + minRepeats + " times");
        return r;
    }

    /** Applies the three rules to one prediction. */
    public ErrorFlags analyze(String prediction, String reference) {
        List<String> predicted = words(prediction);
        List<String> expected = words(reference);
        boolean tooLong = predicted.size() > lengthRatio * Math.max(1, expected.size());
        return new ErrorFlags(misspelled(predicted), tooLong, repeated(predicted));
    }

    private List<String> misspelled(List<String> predicted) {
        List<String> out = new ArrayList<>();
        for (String w : predicted) {
            if (w.length() < 4 || vocabulary.contains(w) || !w.chars().allMatch(Character::isLetter)) {
                continue;
            }
            int maxDistance = w.length() >= 8 ? 2 : 1;
            if (nearVocabulary(w, maxDistance)) {
                out.add(w);
            }
        }
        return out;
    }

    private boolean nearVocabulary(String w, int maxDistance) {
        for (int len = w.length() - maxDistance; len <= w.length() + maxDistance; len++) {
            for (String v : vocabularyByLength.getOrDefault(len, List.of())) {
                if (editDistance(w, v, maxDistance) <= maxDistance) {
                    return true;
                }
            }
        }
        return false;
    }

    private String repeated(List<String> words) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + ngram <= words.size(); i++) {
            String g = String.join(" ", words.subList(i, i + ngram));
            if (counts.merge(g, 1, Integer::sum) >= minRepeats) {
                return g;
            }
        }
        return "";
    }

    /** Levenshtein distance (insert, delete, substitute), stopping early once it exceeds {@code limit}. */
    static int editDistance(String a, String b, int limit) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** Thresholds and vocabulary; {@link ModelEvaluator} adds the evaluation set's words itself. */
    public static final class Builder {
        private double lengthRatio = 2.0;
        private int ngram = 2;
        private int minRepeats = 3;
        private final Set<String> vocabulary = new HashSet<>();

        private Builder() {
        }

        /** Too long = more than this many times the reference's words (default 2). */
        public Builder lengthRatio(double lengthRatio) {
            if (!(lengthRatio >= 1)) {
                throw new IllegalArgumentException("lengthRatio must be >= 1; got " + lengthRatio);
            }
            this.lengthRatio = lengthRatio;
            return this;
        }

        /** Repetitive = an n-gram of this many words repeats (default 2). */
        public Builder ngram(int ngram) {
            if (ngram < 1) {
                throw new IllegalArgumentException("ngram must be >= 1; got " + ngram);
            }
            this.ngram = ngram;
            return this;
        }

        /** Repetitive = the n-gram occurs at least this often (default 3). */
        public Builder minRepeats(int minRepeats) {
            if (minRepeats < 2) {
                throw new IllegalArgumentException("minRepeats must be >= 2; got " + minRepeats);
            }
            this.minRepeats = minRepeats;
            return this;
        }

        /** Adds the words of these texts to the vocabulary that counts as correctly spelled. */
        public Builder vocabularyFrom(Collection<String> texts) {
            for (String t : texts) {
                vocabulary.addAll(words(t));
            }
            return this;
        }

        public ErrorAnalyzer build() {
            return new ErrorAnalyzer(this);
        }
    }
}
