package dev.trellis.finetune.model.decode;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small operations of a decoding step on float arrays: norms, attention over cached keys and
 * values, activations. Each mirrors the order of the arithmetic of the DJL op it replaces, so the
 * two paths agree to float rounding. Arrays are addressed by (array, offset) to avoid copies.
 */
final class DecodeMath {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private DecodeMath() {
    }

    /** torch's layer_norm: (x - mean) / sqrt(var + eps) * w + b, the variance biased; moments in double. */
    static void layerNorm(float[] x, int xo, int n, float[] w, float[] b, float eps, float[] out, int oo) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xo + i];
        }
        double mean = sum / n;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xo + i] - mean;
            sq += d * d;
        }
        float rstd = (float) (1.0 / Math.sqrt(sq / n + eps));
        float m = (float) mean;
        for (int i = 0; i < n; i++) {
            out[oo + i] = (x[xo + i] - m) * rstd * w[i] + b[i];
        }
    }

    /** Llama's RMSNorm as the DJL path computes it: x / sqrt(mean(x^2) + eps) * w. */
    static void rmsNorm(float[] x, int xo, int n, float[] w, float eps, float[] out, int oo) {
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += (double) x[xo + i] * x[xo + i];
        }
        float rms = (float) Math.sqrt((float) (sq / n) + eps);
        for (int i = 0; i < n; i++) {
            out[oo + i] = x[xo + i] / rms * w[i];
        }
    }

    /** a[i] += b[i] for n values. */
    static void addInPlace(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector.fromArray(F, a, ao + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(a, ao + i);
        }
        for (; i < n; i++) {
            a[ao + i] += b[bo + i];
        }
    }

    /** sum of a[i] * b[i]. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int end = F.loopBound(n); i < end; i += LANES) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /**
     * One query head against {@code total} cached positions of its key/value head: softmax(q k^T * scale
     * + bias) v into {@code out}. Keys and values run contiguously from {@code kvo}, {@code d} floats each;
     * {@code bias} (0 or a large negative number per position; null for none) hides padding and what a
     * sliding window leaves out. {@code scores} is scratch of at least {@code total} floats.
     */
    static void attend(float[] q, int qo, float[] keys, float[] values, int kvo, int total, int d, float scale,
                       float[] bias, int biasOffset, float[] scores, float[] out, int oo) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < total; j++) {
            float s = dot(q, qo, keys, kvo + j * d, d) * scale;
            if (bias != null) {
                s += bias[biasOffset + j];
            }
            scores[j] = s;
            max = Math.max(max, s);
        }
        float sum = 0;
        int j = 0;
        for (int end = F.loopBound(total); j < end; j += LANES) {
            FloatVector e = FloatVector.fromArray(F, scores, j).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(scores, j);
            sum += e.reduceLanes(VectorOperators.ADD);
        }
        for (; j < total; j++) {
            float e = (float) Math.exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }
        java.util.Arrays.fill(out, oo, oo + d, 0f);
        for (j = 0; j < total; j++) {
            // out += p_j v_j through memory: a vector carried across a nested loop is kept in memory by C2
            axpy(scores[j] / sum, values, kvo + j * d, out, oo, d);
        }
    }

    /** y += a x over n values. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector.fromArray(F, x, xo + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** The activation named by config.json ({@code hidden_act}), in place over n values. */
    static void activation(String name, float[] x, int xo, int n) {
        switch (name) {
            case "gelu" -> geluErf(x, xo, n);
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(x, xo, n);
            case "silu", "swish" -> silu(x, xo, n);
            case "relu" -> relu(x, xo, n);
            default -> throw new IllegalArgumentException("no fused decoding for activation " + name);
        }
    }

    /** Whether {@link #activation} knows the name. */
    static boolean knows(String activation) {
        return switch (activation) {
            case "gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish", "relu" -> true;
            default -> false;
        };
    }

    /** Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)), as torch computes it. */
    static void geluErf(float[] x, int xo, int n) {
        float root = (float) (1 / Math.sqrt(2));
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            v.mul(0.5f).mul(erf(v.mul(root)).add(1f)).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            x[xo + i] = v * 0.5f * (erf(v * root) + 1f);
        }
    }

    // erf as a rational function x P(x^2) / Q(x^2) on [-4, 4] (beyond, erf is +-1 in float32): the
    // approximation Eigen, XLA and TVM use for float32, within a few ulp of the true value; a 7.1.26-style
    // formula (1.5e-7 absolute) loses the small values' relative accuracy.
    private static final float A13 = -2.72614225801306e-10f;
    private static final float A11 = 2.77068142495902e-08f;
    private static final float A9 = -2.10102402082508e-06f;
    private static final float A7 = -5.69250639462346e-05f;
    private static final float A5 = -7.34990630326855e-04f;
    private static final float A3 = -2.95459980854025e-03f;
    private static final float A1 = -1.60960333262415e-02f;
    private static final float B8 = -1.45660718464996e-05f;
    private static final float B6 = -2.13374055278905e-04f;
    private static final float B4 = -1.68282697438203e-03f;
    private static final float B2 = -7.37332916720468e-03f;
    private static final float B0 = -1.42647390514189e-02f;

    static FloatVector erf(FloatVector v) {
        FloatVector x = v.max(-4f).min(4f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(A13, A11).fma(x2, FloatVector.broadcast(F, A9)).fma(x2, FloatVector.broadcast(F, A7))
                .fma(x2, FloatVector.broadcast(F, A5)).fma(x2, FloatVector.broadcast(F, A3))
                .fma(x2, FloatVector.broadcast(F, A1)).mul(x);
        FloatVector q = x2.fma(B8, B6).fma(x2, FloatVector.broadcast(F, B4)).fma(x2, FloatVector.broadcast(F, B2))
                .fma(x2, FloatVector.broadcast(F, B0));
        return p.div(q);
    }

    static float erf(float v) {
        float x = Math.max(-4f, Math.min(4f, v));
        float x2 = x * x;
        float p = Math.fma(x2, A13, A11);
        p = Math.fma(p, x2, A9);
        p = Math.fma(p, x2, A7);
        p = Math.fma(p, x2, A5);
        p = Math.fma(p, x2, A3);
        p = Math.fma(p, x2, A1) * x;
        float q = Math.fma(x2, B8, B6);
        q = Math.fma(q, x2, B4);
        q = Math.fma(q, x2, B2);
        q = Math.fma(q, x2, B0);
        return p / q;
    }

    /**
     * GELU's tanh approximation as the DJL path writes it: x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715
     * x^3))), the cube's input clipped to [-10, 10].
     */
    static void geluTanh(float[] x, int xo, int n) {
        float k = (float) Math.sqrt(2.0 / Math.PI);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector c = v.max(-10f).min(10f);
            FloatVector inner = c.mul(c).mul(c).mul(0.044715f).add(v).mul(k);
            v.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f)).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float c = Math.max(-10f, Math.min(10f, v));
            float inner = (c * c * c * 0.044715f + v) * k;
            x[xo + i] = v * 0.5f * ((float) Math.tanh(inner) + 1f);
        }
    }

    /** x * sigmoid(x). */
    static void silu(float[] x, int xo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector sigmoid = FloatVector.broadcast(F, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
            v.mul(sigmoid).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            x[xo + i] = v * (1f / (1f + (float) Math.exp(-v)));
        }
    }

    static void relu(float[] x, int xo, int n) {
        for (int i = 0; i < n; i++) {
            x[xo + i] = Math.max(0f, x[xo + i]);
        }
    }

    /** a[i] *= b[i]. */
    static void mulInPlace(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector.fromArray(F, a, ao + i).mul(FloatVector.fromArray(F, b, bo + i)).intoArray(a, ao + i);
        }
        for (; i < n; i++) {
            a[ao + i] *= b[bo + i];
        }
    }
}
