package dev.trellis.finetune.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code acc} and {@code acc_norm} over a set of questions, with the harness' standard errors
 * (sample standard deviation over the square root of n).
 */
public record MultipleChoiceResult(List<ChoiceScore> scores) {

    public MultipleChoiceResult {
        scores = List.copyOf(scores);
    }

    public double acc() {
        return scores.stream().mapToDouble(s -> s.correct() ? 1 : 0).average().orElse(0);
    }

    public double accNorm() {
        return scores.stream().mapToDouble(s -> s.correctNorm() ? 1 : 0).average().orElse(0);
    }

    public double accStderr() {
        return stderr(acc());
    }

    public double accNormStderr() {
        return stderr(accNorm());
    }

    private double stderr(double p) {
        int n = scores.size();
        return n < 2 ? 0 : Math.sqrt(p * (1 - p) * n / (n - 1) / n);
    }

    /** The harness' result keys: acc, acc_stderr, acc_norm, acc_norm_stderr, plus n. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("acc", acc());
        m.put("acc_stderr", accStderr());
        m.put("acc_norm", accNorm());
        m.put("acc_norm_stderr", accNormStderr());
        m.put("n", scores.size());
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "acc %.4f ± %.4f, acc_norm %.4f ± %.4f (n=%d)",
                acc(), accStderr(), accNorm(), accNormStderr(), scores.size());
    }
}
