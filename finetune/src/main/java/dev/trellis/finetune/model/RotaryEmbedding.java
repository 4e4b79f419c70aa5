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

    /** {@link #cosSin(long[], int, int, NDManager, DataType)} in float32. */
    NDArray[] cosSin(long[] positions, int rows, int steps, NDManager manager) {
        return cosSin(positions, rows, steps, manager, DataType.FLOAT32);
    }

    /**
     * cos and sin for the given positions, shaped [rows, 1, steps, dim] so they broadcast over heads.
     * {@code positions} is row-major [rows, steps]; the arrays are in {@code dataType} (computed in float32).
     */
    NDArray[] cosSin(long[] positions, int rows, int steps, NDManager manager, DataType dataType) {
        float[] cos = new float[positions.length * dim];
        float[] sin = new float[positions.length * dim];
        int half = dim / 2;
        for (int p = 0; p < positions.length; p++) {
            for (int i = 0; i < half; i++) {
                float a = angle(positions[p], i);
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[p * dim + i] = c;
                cos[p * dim + half + i] = c;
                sin[p * dim + i] = s;
                sin[p * dim + half + i] = s;
            }
        }
        Shape shape = new Shape(rows, 1, steps, dim);
        NDArray c = manager.create(cos, shape);
        NDArray s = manager.create(sin, shape);
        if (dataType != DataType.FLOAT32) { // constants: a cast that cuts the autograd graph is fine here
            c = c.toType(dataType, false);
            s = s.toType(dataType, false);
        }
        return new NDArray[] {c, s};
    }

    /** Rotates x [batch, heads, steps, dim]: x * cos + rotate_half(x) * sin. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1; // DJL's split and concat want a non-negative axis
        NDList halves = x.split(2, last);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), last);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
