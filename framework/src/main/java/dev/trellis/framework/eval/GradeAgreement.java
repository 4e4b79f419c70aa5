package dev.trellis.framework.eval;

import java.util.Locale;

/**
 * How far a grader's CORRECT/INCORRECT agrees with a reference verdict (exact match, a human) on the answers it
 * graded: the share that agree, and Cohen's kappa, the agreement beyond what the two verdicts' rates give by
 * chance. A grader that calls everything INCORRECT agrees with exact match on every wrong answer, yet its kappa
 * is 0: it tells nothing.
 *
 * @param agree  graded answers where the grader says what the reference says
 * @param graded answers the grader graded (ungraded ones are left out)
 * @param kappa  Cohen's kappa; NaN when nothing was graded or both verdicts are one constant value
 */
public record GradeAgreement(int agree, int graded, double kappa) {

    /** Kappa below this is "slight" agreement at best (Landis and Koch): the grader's verdicts carry little. */
    public static final double SLIGHT = 0.2;

    /** Share of graded answers that agree; NaN when nothing was graded. */
    public double share() {
        return graded == 0 ? Double.NaN : (double) agree / graded;
    }

    /**
     * True when the grader agrees with the reference hardly better than chance (kappa under {@link #SLIGHT});
     * false when kappa is undefined (nothing graded, or both verdicts one constant value: nothing to tell by).
     */
    public boolean noBetterThanChance() {
        return graded > 0 && kappa < SLIGHT;
    }

    /** "0.300 (12/40), kappa 0.00", or "n/a" when nothing was graded. */
    @Override
    public String toString() {
        if (graded == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.3f (%d/%d), kappa %s", share(), agree, graded,
                Double.isNaN(kappa) ? "n/a" : String.format(Locale.ROOT, "%.2f", kappa));
    }
}
