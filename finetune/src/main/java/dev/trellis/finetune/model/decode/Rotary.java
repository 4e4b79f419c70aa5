package dev.trellis.finetune.model.decode;

/**
 * Rotary position embedding on float arrays, with the arithmetic of the model's {@code RotaryEmbedding}:
 * inverse frequencies {@code theta^(-2i/dim)} in float32 divided by a linear scaling factor, angle =
 * position x frequency in float32, cos and sin in double, "rotate half" pairs (feature i with i + dim/2).
 * The first {@code dim} features of a head rotate; the rest (a partial rotary) pass through.
 */
final class Rotary {

    private final int dim;
    private final float[] invFreq;

    Rotary(int dim, double theta, double scalingFactor) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new IllegalArgumentException("rotary dimension must be a positive even number; got " + dim);
        }
        this.dim = dim;
        this.invFreq = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            float exponent = (float) (2 * i) / dim;
            invFreq[i] = (float) ((float) (1.0 / Math.pow(theta, exponent)) / scalingFactor);
        }
    }

    /** cos and sin of every frequency at {@code position}, into cos[co ..] and sin[co ..] (dim / 2 each). */
    void angles(long position, float[] cos, float[] sin, int co) {
        for (int i = 0; i < invFreq.length; i++) {
            float a = (float) position * invFreq[i];
            cos[co + i] = (float) Math.cos(a);
            sin[co + i] = (float) Math.sin(a);
        }
    }

    /**
     * Rotates the head at x[xo ..] with angles from {@link #angles}: as the DJL path's x * cos +
     * rotate_half(x) * sin, where rotate_half's first half carries the minus sign.
     */
    void rotate(float[] x, int xo, float[] cos, float[] sin, int co) {
        int half = dim / 2;
        for (int i = 0; i < half; i++) {
            float x1 = x[xo + i];
            float x2 = x[xo + half + i];
            float c = cos[co + i];
            float s = sin[co + i];
            x[xo + i] = x1 * c + x2 * -s;
            x[xo + half + i] = x2 * c + x1 * s;
        }
    }

    int dim() {
        return dim;
    }
}
