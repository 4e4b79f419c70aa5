package dev.trellis.finetune.generate;

import java.util.Arrays;
import java.util.Random;

/**
 * The logits processors and samplers {@link Generator} applies to one row of next-token logits, in
 * Hugging Face's order: repetition penalty, constraint mask, then greedy argmax, or temperature,
 * top-k, top-p and a draw. Each works in place on a {@code float[vocab]}; a removed token's logit
 * becomes negative infinity.
 */
public final class Sampling {

    private Sampling() {
    }

    /** CTRL's repetition penalty over the tokens marked in {@code seen}: positive logits divided, negative multiplied. */
    public static void repetitionPenalty(float[] logits, boolean[] seen, double penalty) {
        if (penalty == 1.0) {
            return;
        }
        for (int i = 0; i < logits.length; i++) {
            if (seen[i]) {
                logits[i] = (float) (logits[i] > 0 ? logits[i] / penalty : logits[i] * penalty);
            }
        }
    }

    /** Removes every token not marked in {@code allowed}. */
    public static void mask(float[] logits, boolean[] allowed) {
        for (int i = 0; i < logits.length; i++) {
            if (!allowed[i]) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Divides by the temperature (> 0). */
    public static void temperature(float[] logits, double temperature) {
        if (temperature == 1.0) {
            return;
        }
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (logits[i] / temperature);
        }
    }

    /** Keeps the {@code k} largest logits (and any tied with the k-th), as transformers' TopKLogitsWarper. */
    public static void topK(float[] logits, int k) {
        if (k <= 0 || k >= logits.length) {
            return;
        }
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < threshold) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Nucleus filtering: keeps the most likely tokens until their probability reaches {@code p}
     * (always at least one), as transformers' TopPLogitsWarper.
     */
    public static void topP(float[] logits, double p) {
        if (p >= 1.0) {
            return;
        }
        double[] probs = softmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double cumulative = 0;
        boolean keep = true;
        for (int idx : order) {
            if (!keep) {
                logits[idx] = Float.NEGATIVE_INFINITY;
                continue;
            }
            cumulative += probs[idx];
            if (cumulative >= p) {
                keep = false;
            }
        }
    }

    /** Probabilities of {@code logits} (negative infinity gives 0). */
    public static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every token is masked; nothing can be sampled");
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Index of the largest logit (the lowest index on ties). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (logits[best] == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every token is masked; nothing can be chosen");
        }
        return best;
    }

    /** Draws an index from softmax(logits). */
    public static int sample(float[] logits, Random random) {
        double[] p = softmax(logits);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Picks the next token from raw logits under {@code config} (mask and penalty already applied). */
    static int choose(float[] logits, GenerationConfig config, Random random) {
        if (config.greedy()) {
            return argmax(logits);
        }
        temperature(logits, config.temperature());
        topK(logits, config.topK());
        topP(logits, config.topP());
        return sample(logits, random);
    }
}
