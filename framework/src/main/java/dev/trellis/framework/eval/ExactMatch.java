package dev.trellis.framework.eval;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Exact-match accuracy of predictions against reference answers.
 *
 * <p>{@link Normalization#TRIM} (the default) compares after stripping leading and trailing
 * whitespace. {@link Normalization#LENIENT} also ignores case, punctuation and runs of
 * whitespace, for short answers where "Yes." and "yes" mean the same.
 */
public final class ExactMatch {

    /** How texts are normalized before they are compared. */
    public enum Normalization {
        /** Leading and trailing whitespace removed; everything else must match. */
        TRIM,
        /**
         * Unicode NFKC, lower-case, every punctuation and symbol character removed (Unicode
         * categories P and S, a superset of Python's {@code string.punctuation}), whitespace runs
         * collapsed to one space, then trimmed.
         */
        LENIENT
    }

    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private ExactMatch() {
    }

    /** Whether a prediction equals the reference after trimming. */
    public static boolean matches(String prediction, String reference) {
        return matches(prediction, reference, Normalization.TRIM);
    }

    public static boolean matches(String prediction, String reference, Normalization normalization) {
        Objects.requireNonNull(prediction, "prediction");
        Objects.requireNonNull(reference, "reference");
        return normalize(prediction, normalization).equals(normalize(reference, normalization));
    }

    /** Whether the prediction matches any of the references (a question with several right answers). */
    public static boolean matchesAny(String prediction, List<String> references, Normalization normalization) {
        Objects.requireNonNull(references, "references");
        if (references.isEmpty()) {
            throw new IllegalArgumentException("matchesAny needs at least one reference; got an empty list");
        }
        return references.stream().anyMatch(ref -> matches(prediction, ref, normalization));
    }

    /** Fraction of predictions that match their reference, in [0, 1]. */
    public static double score(List<String> predictions, List<String> references) {
        return score(predictions, references, Normalization.TRIM);
    }

    public static double score(List<String> predictions, List<String> references, Normalization normalization) {
        Objects.requireNonNull(predictions, "predictions");
        Objects.requireNonNull(references, "references");
        if (predictions.size() != references.size()) {
            throw new IllegalArgumentException("exact match needs one reference per prediction; got "
                    + predictions.size() + " predictions and " + references.size() + " references");
        }
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("exact match over no predictions is undefined; pass at least one pair");
        }
        int hits = 0;
        for (int i = 0; i < predictions.size(); i++) {
            if (matches(predictions.get(i), references.get(i), normalization)) {
                hits++;
            }
        }
        return (double) hits / predictions.size();
    }

    /** The text as it is compared under the given normalization. */
    public static String normalize(String text, Normalization normalization) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(normalization, "normalization");
        if (normalization == Normalization.TRIM) {
            return text.strip();
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = PUNCTUATION.matcher(s).replaceAll("");
        return WHITESPACE.matcher(s).replaceAll(" ").strip();
    }
}
