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
}
