package dev.trellis.framework.eval;

/**
 * One ROUGE score, as rouge-score's {@code Score} tuple: precision, recall and their harmonic
 * mean, each in [0, 1].
 */
public record RougeScore(double precision, double recall, double fmeasure) {

    public static final RougeScore ZERO = new RougeScore(0, 0, 0);

    /** Builds a score from precision and recall; F is 0 when both are 0. */
    public static RougeScore of(double precision, double recall) {
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        return new RougeScore(precision, recall, f);
    }
}
