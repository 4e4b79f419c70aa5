package dev.trellis.framework.eval;

import java.util.List;
import java.util.Map;

/**
 * The grades {@link QAEvalChain#evaluate} gave, in the order of the examples, with counts.
 */
public record QAEvaluation(List<GradedPrediction> results) {

    public QAEvaluation {
        results = List.copyOf(results);
    }

    /**
     * One graded prediction.
     *
     * @param index      position in the lists given to {@code evaluate}
     * @param query      the question
     * @param answer     the reference answer
     * @param prediction the predicted answer
     * @param text       the grader's answer, verbatim (LangChain's {@code graded_outputs[i]["text"]})
     * @param grade      the grade read from {@code text}
     */
    public record GradedPrediction(int index, String query, String answer, String prediction, String text, Grade grade) {

        /** {@code text} and {@code grade} as a map, like one element of LangChain's graded outputs. */
        public Map<String, Object> toMap() {
            return Map.of("text", text, "grade", grade.name());
        }
    }

    public int size() {
        return results.size();
    }

    public long count(Grade grade) {
        return results.stream().filter(r -> r.grade() == grade).count();
    }

    public long correct() {
        return count(Grade.CORRECT);
    }

    public long incorrect() {
        return count(Grade.INCORRECT);
    }

    public long ungraded() {
        return count(Grade.UNGRADED);
    }

    /** The results the grader's answer gave no grade for; look at their {@code text}. */
    public List<GradedPrediction> ungradedResults() {
        return results.stream().filter(r -> r.grade() == Grade.UNGRADED).toList();
    }

    /** Correct over graded (ungraded results are left out); NaN when nothing was graded. */
    public double accuracy() {
        long graded = correct() + incorrect();
        return graded == 0 ? Double.NaN : (double) correct() / graded;
    }

    /**
     * Agreement with a reference verdict per example ({@code true}: the answer is right), in the order of the
     * examples; ungraded results are left out.
     */
    public GradeAgreement agreementWith(List<Boolean> reference) {
        if (reference.size() != results.size()) {
            throw new IllegalArgumentException("agreement needs one reference verdict per graded example: got "
                    + reference.size() + " verdicts for " + results.size() + " examples");
        }
        int graded = 0;
        int agree = 0;
        int graderCorrect = 0;
        int referenceCorrect = 0;
        for (GradedPrediction r : results) {
            if (r.grade() == Grade.UNGRADED) {
                continue;
            }
            boolean grader = r.grade() == Grade.CORRECT;
            boolean right = reference.get(r.index());
            graded++;
            agree += grader == right ? 1 : 0;
            graderCorrect += grader ? 1 : 0;
            referenceCorrect += right ? 1 : 0;
        }
        if (graded == 0) {
            return new GradeAgreement(0, 0, Double.NaN);
        }
        double observed = (double) agree / graded;
        double g = (double) graderCorrect / graded;
        double ref = (double) referenceCorrect / graded;
        double chance = g * ref + (1 - g) * (1 - ref);
        return new GradeAgreement(agree, graded, chance == 1 ? Double.NaN : (observed - chance) / (1 - chance));
    }
}
