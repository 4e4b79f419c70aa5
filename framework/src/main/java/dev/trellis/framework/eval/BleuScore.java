package dev.trellis.framework.eval;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A BLEU score with its sufficient statistics, as sacreBLEU's {@code BLEUScore}.
 *
 * @param score      BLEU on the 0-100 scale
 * @param counts     matching n-grams per order, clipped by the references (before any add-k smoothing)
 * @param totals     n-grams of the hypotheses per order (before any add-k smoothing)
 * @param precisions n-gram precisions per order, 0-100, after smoothing
 * @param bp         brevity penalty
 * @param sysLen     hypothesis length in tokens
 * @param refLen     effective reference length (sum of the closest reference lengths)
 */
public record BleuScore(double score, List<Integer> counts, List<Integer> totals, List<Double> precisions,
                        double bp, int sysLen, int refLen) {

    public BleuScore {
        counts = List.copyOf(counts);
        totals = List.copyOf(totals);
        precisions = List.copyOf(precisions);
    }

    /** Hypothesis length over reference length (0 when there is no reference token). */
    public double ratio() {
        return refLen == 0 ? 0 : (double) sysLen / refLen;
    }

    /** sacreBLEU's one-line summary, e.g. {@code BLEU = 23.56 60.0/33.3/25.0/12.5 (BP = 1.000 ...)}. */
    @Override
    public String toString() {
        String precisionText = precisions.stream().map(p -> String.format(Locale.ROOT, "%.1f", p))
                .collect(Collectors.joining("/"));
        return String.format(Locale.ROOT, "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                score, precisionText, bp, ratio(), sysLen, refLen);
    }
}
