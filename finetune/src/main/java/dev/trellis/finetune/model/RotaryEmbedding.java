package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding as transformers implements it: the "rotate half" convention (the
 * first and second halves of the rotated dimensions form the pairs, not interleaved neighbours),
 * inverse frequencies {@code theta^(-2i/dim)}, optionally divided by a linear scaling factor.
 * Angles are computed in float32 like transformers does, then cos/sin in double precision.
 */
final class RotaryEmbedding {

    private final int dim;
    private final float[] invFreq;

    RotaryEmbedding(int dim, double theta, RopeScaling scaling) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new CheckpointException("rotary dimension must be a positive even number; got " + dim
                    + " (check head size and rotary_pct / partial_rotary_factor)");
        }
        this.dim = dim;
        this.invFreq = new float[dim / 2];
        double factor = scaling == null ? 1.0 : scaling.factor();
        for (int i = 0; i < dim / 2; i++) {
            float exponent = (float) (2 * i) / dim;
            invFreq[i] = (float) ((float) (1.0 / Math.pow(theta, exponent)) / factor);
        }
    }

    int dim() {
        return dim;
    }

    /** The rotation angle of frequency {@code i} at {@code position}, in float32 as transformers computes it. */
    float angle(long position, int i) {
        return (float) position * invFreq[i];
    }

    /** {@link #cosSin(long[], int, int, NDManager, DataType, int)} in float32, as wide as the rotated dimensions. */
    NDArray[] cosSin(long[] positions, int rows, int steps, NDManager manager) {
        return cosSin(positions, rows, steps, manager, DataType.FLOAT32, dim);
    }

    /** {@link #cosSin(long[], int, int, NDManager, DataType, int)} as wide as the rotated dimensions. */
    NDArray[] cosSin(long[] positions, int rows, int steps, NDManager manager, DataType dataType) {
        return cosSin(positions, rows, steps, manager, dataType, dim);
    }

    /**
     * cos and sin for the given positions, shaped [rows, 1, steps, width] so they broadcast over heads.
     * {@code positions} is row-major [rows, steps]; the arrays are in {@code dataType} (computed in float32).
     * The sin carries rotate_half's sign (negative on the first half), and past the rotated dimensions
     * (a partial rotary's pass-through features, up to {@code width}) cos is 1 and sin 0: so {@link #apply}
     * is one multiply-add over the whole head, the fewest operations per decoding step.
     */
    NDArray[] cosSin(long[] positions, int rows, int steps, NDManager manager, DataType dataType, int width) {
        if (width < dim) {
            throw new IllegalArgumentException("width " + width + " is narrower than the " + dim + " rotated dimensions");
        }
        float[] cos = new float[positions.length * width];
        float[] sin = new float[positions.length * width];
        int half = dim / 2;
        for (int p = 0; p < positions.length; p++) {
            int row = p * width;
            for (int i = 0; i < half; i++) {
                float a = angle(positions[p], i);
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[row + i] = c;
                cos[row + half + i] = c;
                sin[row + i] = -s;
                sin[row + half + i] = s;
            }
            java.util.Arrays.fill(cos, row + dim, row + width, 1f);
        }
        Shape shape = new Shape(rows, 1, steps, width);
        NDArray c = manager.create(cos, shape);
        NDArray s = manager.create(sin, shape);
        if (dataType != DataType.FLOAT32) { // constants: a cast that cuts the autograd graph is fine here
            c = c.toType(dataType, false);
            s = s.toType(dataType, false);
        }
        return new NDArray[] {c, s};
    }

    /** Rotates x [batch, heads, steps, dim] whose every feature is rotated: x * cos + rotate_half(x) * sin. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        return apply(x, cos, sin, (int) x.getShape().get(last));
    }

    /**
     * Rotates the first {@code rotaryDims} features of x [batch, heads, steps, width] and passes the rest
     * through, with cos and sin from {@link #cosSin(long[], int, int, NDManager, DataType, int)} of that width:
     * x * cos + [x2, x1, rest] * sin, where x1 and x2 are the two halves of the rotated features.
     */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin, int rotaryDims) {
        int last = x.getShape().dimension() - 1; // DJL's split and concat want a non-negative axis
        long width = x.getShape().get(last);
        NDList parts = rotaryDims == width ? x.split(2, last) : x.split(new long[] {rotaryDims / 2, rotaryDims}, last);
        NDList swapped = parts.size() == 2 ? new NDList(parts.get(1), parts.get(0))
                : new NDList(parts.get(1), parts.get(0), parts.get(2));
        return x.mul(cos).add(NDArrays.concat(swapped, last).mul(sin));
    }
}
