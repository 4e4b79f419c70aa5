package dev.trellis.finetune.model.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x W^T + b for a few activation rows against a {@link Q8Matrix}, on the Vector API: each group
 * of 32 int8 weights is widened to floats in registers, scaled, and multiplied with the float
 * activations; up to 4 rows share each widened weight vector, so the weights are read from memory once
 * per call. Decoding is memory-bound, so reading a byte per weight instead of four is the whole point.
 *
 * <p>The output rows are split over the caller and {@link SpinPool} workers ({@code
 * -Dtrellis.quant.threads=N}, default: every core). Measured on the 2-core VM (a 3072 x 768 matrix, in
 * cache / 70 of them, 165 MB, streamed from memory): 16.5 / 6.4 GB/s of int8 weights on one thread,
 * 32 / 11.8 on two. Its predecessor read 5 in cache on one thread and had no spinning workers: it summed
 * each group in a vector of a nested loop, which C2 kept in memory.
 */
public final class Q8Kernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** AVX2 (8 float lanes) and AVX-512 (16) widen a 64- or 128-bit byte load into one float vector. */
    private static final boolean VECTOR = LANES == 8 || LANES == 16;
    private static final VectorSpecies<Byte> B = VECTOR ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    /** Below this many output rows per thread, handing work to another thread costs more than it saves. */
    private static final int MIN_ROWS_PER_PART = 64;
    /** Threads per product, the caller included: {@code -Dtrellis.quant.threads=N}, default every core. */
    private static final int THREADS = Math.max(1, Integer.getInteger("trellis.quant.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final SpinPool POOL = THREADS > 1 ? new SpinPool(THREADS - 1, "trellis-q8") : null;

    private Q8Kernel() {
    }

    /**
     * Computes {@code y[r, o] = sum_j x[r, j] * w[o, j] + bias[o]} for {@code n} rows of x
     * ([n, w.cols()], row-major) into y ([n, w.rows()]). {@code bias} may be null.
     */
    public static void multiply(float[] x, int n, Q8Matrix w, float[] bias, float[] y) {
        if (x.length < (long) n * w.cols() || y.length < (long) n * w.rows()) {
            throw new IllegalArgumentException("x must hold " + n + " x " + w.cols() + " values and y " + n + " x "
                    + w.rows() + "; got " + x.length + " and " + y.length);
        }
        if (bias != null && bias.length != w.rows()) {
            throw new IllegalArgumentException("bias has " + bias.length + " values for " + w.rows() + " outputs");
        }
        int parts = POOL == null ? 1 : Math.max(1, Math.min(THREADS, w.rows() / MIN_ROWS_PER_PART));
        if (parts == 1) {
            rows(x, n, w, bias, y, 0, w.rows());
            return;
        }
        POOL.run(parts, p -> rows(x, n, w, bias, y, (int) ((long) w.rows() * p / parts),
                (int) ((long) w.rows() * (p + 1) / parts)));
    }

    /** Output rows [from, to) of every activation row. */
    private static void rows(float[] x, int n, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        if (!VECTOR) {
            scalar(x, n, w, bias, y, from, to);
            return;
        }
        int r = 0;
        for (; r + 4 <= n; r += 4) {
            four(x, r, w, bias, y, from, to);
        }
        for (; r < n; r++) {
            one(x, r, w, bias, y, from, to);
        }
    }

    private static FloatVector widen(byte[] q, int i) {
        return (FloatVector) ByteVector.fromArray(B, q, i).convertShape(VectorOperators.B2F, F, 0);
    }

    // The loops below are single loops whose vectors are loop-carried variables or straight-line temporaries:
    // C2 kept the vectors in memory (objects, 7-12x slower) for a loop nested per group and for a vector
    // assigned on one branch of an if.

    private static void one(float[] x, int r, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        byte[] q = w.values();
        float[] s = w.scales();
        int cols = w.cols();
        int groups = w.groupsPerRow();
        int full = cols - cols % Q8Matrix.GROUP; // a shorter last group is summed by tail()
        int xr = r * cols;
        int quarter = (to - from) / 4;
        // four output rows per pass, a quarter of the range apart: four streams of loads in flight, which is
        // what streaming weights from memory (not the arithmetic) waits on (one thread, 165 MB of weights: one stream
        // read 6.4 GB/s, two 9.0, four 11.6)
        for (int o = from; o < from + quarter; o++) {
            int o1 = o + quarter;
            int o2 = o1 + quarter;
            int o3 = o2 + quarter;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F);
            FloatVector d1 = FloatVector.zero(F);
            for (int k = 0; k < full; k += 2 * LANES) { // 2 * LANES divides a group of 32
                FloatVector xa = FloatVector.fromArray(F, x, xr + k);
                FloatVector xb = FloatVector.fromArray(F, x, xr + k + LANES);
                int g = k / Q8Matrix.GROUP;
                FloatVector sa = FloatVector.broadcast(F, s[o * groups + g]);
                FloatVector sb = FloatVector.broadcast(F, s[o1 * groups + g]);
                FloatVector sc = FloatVector.broadcast(F, s[o2 * groups + g]);
                FloatVector sd = FloatVector.broadcast(F, s[o3 * groups + g]);
                a0 = widen(q, o * cols + k).mul(sa).fma(xa, a0);
                a1 = widen(q, o * cols + k + LANES).mul(sa).fma(xb, a1);
                b0 = widen(q, o1 * cols + k).mul(sb).fma(xa, b0);
                b1 = widen(q, o1 * cols + k + LANES).mul(sb).fma(xb, b1);
                c0 = widen(q, o2 * cols + k).mul(sc).fma(xa, c0);
                c1 = widen(q, o2 * cols + k + LANES).mul(sc).fma(xb, c1);
                d0 = widen(q, o3 * cols + k).mul(sd).fma(xa, d0);
                d1 = widen(q, o3 * cols + k + LANES).mul(sd).fma(xb, d1);
            }
            int out = r * w.rows();
            y[out + o] = a0.add(a1).reduceLanes(VectorOperators.ADD) + tail(x, xr, w, o, full) + biasOf(bias, o);
            y[out + o1] = b0.add(b1).reduceLanes(VectorOperators.ADD) + tail(x, xr, w, o1, full) + biasOf(bias, o1);
            y[out + o2] = c0.add(c1).reduceLanes(VectorOperators.ADD) + tail(x, xr, w, o2, full) + biasOf(bias, o2);
            y[out + o3] = d0.add(d1).reduceLanes(VectorOperators.ADD) + tail(x, xr, w, o3, full) + biasOf(bias, o3);
        }
        for (int o = from + 4 * quarter; o < to; o++) {
            int row = o * cols;
            int scales = o * groups;
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            for (int k = 0; k < full; k += 2 * LANES) {
                FloatVector scale = FloatVector.broadcast(F, s[scales + k / Q8Matrix.GROUP]);
                acc0 = widen(q, row + k).mul(scale).fma(FloatVector.fromArray(F, x, xr + k), acc0);
                acc1 = widen(q, row + k + LANES).mul(scale).fma(FloatVector.fromArray(F, x, xr + k + LANES), acc1);
            }
            y[r * w.rows() + o] = acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail(x, xr, w, o, full)
                    + biasOf(bias, o);
        }
    }

    /**
     * Four activation rows at once: each widened, scaled weight vector feeds four products; two output rows
     * per pass, half the range apart, for two streams of weight loads (see {@link #one}).
     */
    private static void four(float[] x, int r, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        byte[] q = w.values();
        float[] s = w.scales();
        int cols = w.cols();
        int groups = w.groupsPerRow();
        int full = cols - cols % Q8Matrix.GROUP; // a shorter last group is summed by tail()
        int x0 = r * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int half = (to - from) / 2;
        for (int o = from; o < from + half; o++) {
            int p = o + half;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F);
            FloatVector b3 = FloatVector.zero(F);
            for (int k = 0; k < full; k += LANES) {
                int g = k / Q8Matrix.GROUP;
                FloatVector wa = widen(q, o * cols + k).mul(FloatVector.broadcast(F, s[o * groups + g]));
                FloatVector wb = widen(q, p * cols + k).mul(FloatVector.broadcast(F, s[p * groups + g]));
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + k);
                FloatVector v1 = FloatVector.fromArray(F, x, x1 + k);
                FloatVector v2 = FloatVector.fromArray(F, x, x2 + k);
                FloatVector v3 = FloatVector.fromArray(F, x, x3 + k);
                a0 = wa.fma(v0, a0);
                a1 = wa.fma(v1, a1);
                a2 = wa.fma(v2, a2);
                a3 = wa.fma(v3, a3);
                b0 = wb.fma(v0, b0);
                b1 = wb.fma(v1, b1);
                b2 = wb.fma(v2, b2);
                b3 = wb.fma(v3, b3);
            }
            store4(x, r, w, o, full, bias, y, a0, a1, a2, a3);
            store4(x, r, w, p, full, bias, y, b0, b1, b2, b3);
        }
        for (int o = from + 2 * half; o < to; o++) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int k = 0; k < full; k += LANES) {
                FloatVector wa = widen(q, o * cols + k).mul(FloatVector.broadcast(F, s[o * groups + k / Q8Matrix.GROUP]));
                a0 = wa.fma(FloatVector.fromArray(F, x, x0 + k), a0);
                a1 = wa.fma(FloatVector.fromArray(F, x, x1 + k), a1);
                a2 = wa.fma(FloatVector.fromArray(F, x, x2 + k), a2);
                a3 = wa.fma(FloatVector.fromArray(F, x, x3 + k), a3);
            }
            store4(x, r, w, o, full, bias, y, a0, a1, a2, a3);
        }
    }

    /** Output o of activation rows r .. r + 3. */
    private static void store4(float[] x, int r, Q8Matrix w, int o, int full, float[] bias, float[] y, FloatVector a0,
                               FloatVector a1, FloatVector a2, FloatVector a3) {
        int out = w.rows();
        int cols = w.cols();
        float b = biasOf(bias, o);
        y[r * out + o] = a0.reduceLanes(VectorOperators.ADD) + tail(x, r * cols, w, o, full) + b;
        y[(r + 1) * out + o] = a1.reduceLanes(VectorOperators.ADD) + tail(x, (r + 1) * cols, w, o, full) + b;
        y[(r + 2) * out + o] = a2.reduceLanes(VectorOperators.ADD) + tail(x, (r + 2) * cols, w, o, full) + b;
        y[(r + 3) * out + o] = a3.reduceLanes(VectorOperators.ADD) + tail(x, (r + 3) * cols, w, o, full) + b;
    }

    private static float biasOf(float[] bias, int o) {
        return bias == null ? 0 : bias[o];
    }

    /** Output o's inputs from {@code full} on: the shorter last group of a row whose length is not a multiple of 32. */
    private static float tail(float[] x, int xr, Q8Matrix w, int o, int full) {
        int cols = w.cols();
        if (full == cols) {
            return 0;
        }
        byte[] q = w.values();
        float sum = 0;
        for (int j = full; j < cols; j++) {
            sum += x[xr + j] * q[o * cols + j];
        }
        return sum * w.scales()[o * w.groupsPerRow() + w.groupsPerRow() - 1];
    }

    /** A CPU without 256-bit vectors. */
    private static void scalar(float[] x, int n, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        byte[] q = w.values();
        float[] s = w.scales();
        int cols = w.cols();
        int groups = w.groupsPerRow();
        for (int r = 0; r < n; r++) {
            int xr = r * cols;
            for (int o = from; o < to; o++) {
                int row = o * cols;
                float sum = 0;
                for (int g = 0; g < groups; g++) {
                    int start = g * Q8Matrix.GROUP;
                    int end = Math.min(start + Q8Matrix.GROUP, cols);
                    float part = 0;
                    for (int j = start; j < end; j++) {
                        part += x[xr + j] * q[row + j];
                    }
                    sum += part * s[o * groups + g];
                }
                y[r * w.rows() + o] = sum + biasOf(bias, o);
            }
        }
    }
}
