package dev.trellis.finetune.model.quant;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x W^T + b for a few activation rows against a {@link Q8Matrix}, on the Vector API: each group
 * of int8 weights is widened to floats in registers and multiplied with the float activations, so
 * the weights are read from memory once per call whatever the number of rows (up to 4 rows share
 * each load). Output rows may be split across threads ({@code -Dtrellis.quant.threads}). Decoding is memory-bound, so reading a
 * byte per weight instead of four is the whole point.
 */
public final class Q8Kernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many bytes as F has float lanes, so one byte load widens into one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final int LANES = F.length();
    /** Below this many output rows per core, handing work to another thread costs more than it saves. */
    private static final int MIN_ROWS_PER_TASK = 64;
    /**
     * Threads per product, {@code -Dtrellis.quant.threads=N}; default 1, the caller alone: on 2 busy cores,
     * waking a second thread for each of a decoding step's products (while PyTorch's OpenMP threads spin)
     * cost more than it saved: pythia-160m decoded 2.1 tokens/s with 2 threads against 9.3 for float32.
     */
    private static final int THREADS = Math.max(1, Integer.getInteger("trellis.quant.threads", 1));
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "trellis-q8");
        t.setDaemon(true);
        return t;
    });

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
        int tasks = Math.max(1, Math.min(THREADS, w.rows() / MIN_ROWS_PER_TASK));
        if (tasks == 1) {
            rows(x, n, w, bias, y, 0, w.rows());
            return;
        }
        CountDownLatch done = new CountDownLatch(tasks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 1; t < tasks; t++) {
            int from = (int) ((long) w.rows() * t / tasks);
            int to = (int) ((long) w.rows() * (t + 1) / tasks);
            POOL.execute(() -> {
                try {
                    rows(x, n, w, bias, y, from, to);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        rows(x, n, w, bias, y, 0, (int) ((long) w.rows() / tasks));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during an int8 matrix product", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("int8 matrix product failed: " + failure.get(), failure.get());
        }
    }

    private static void rows(float[] x, int n, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        int r = 0;
        for (; r + 4 <= n; r += 4) {
            four(x, r, w, bias, y, from, to);
        }
        for (; r < n; r++) {
            one(x, r, w, bias, y, from, to);
        }
    }

    private static void one(float[] x, int r, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        byte[] q = w.values();
        float[] s = w.scales();
        int cols = w.cols();
        int groups = w.groupsPerRow();
        int xr = r * cols;
        for (int o = from; o < to; o++) {
            int row = o * cols;
            FloatVector acc = FloatVector.zero(F);
            float tail = 0;
            for (int g = 0; g < groups; g++) {
                int start = g * Q8Matrix.GROUP;
                int length = Math.min(Q8Matrix.GROUP, cols - start);
                int vectorEnd = length - length % LANES;
                FloatVector sum = FloatVector.zero(F);
                for (int k = 0; k < vectorEnd; k += LANES) {
                    FloatVector wv = (FloatVector) ByteVector.fromArray(B, q, row + start + k)
                            .convertShape(VectorOperators.B2F, F, 0);
                    sum = FloatVector.fromArray(F, x, xr + start + k).fma(wv, sum);
                }
                float scale = s[o * groups + g];
                acc = sum.fma(FloatVector.broadcast(F, scale), acc); // scale once per group, not per weight
                for (int k = vectorEnd; k < length; k++) {
                    tail += x[xr + start + k] * q[row + start + k] * scale;
                }
            }
            y[r * w.rows() + o] = acc.reduceLanes(VectorOperators.ADD) + tail + (bias == null ? 0 : bias[o]);
        }
    }

    /** Four activation rows at once: each widened weight vector feeds four products. */
    private static void four(float[] x, int r, Q8Matrix w, float[] bias, float[] y, int from, int to) {
        byte[] q = w.values();
        float[] s = w.scales();
        int cols = w.cols();
        int groups = w.groupsPerRow();
        int x0 = r * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int out = w.rows();
        for (int o = from; o < to; o++) {
            int row = o * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            float t0 = 0;
            float t1 = 0;
            float t2 = 0;
            float t3 = 0;
            for (int g = 0; g < groups; g++) {
                int start = g * Q8Matrix.GROUP;
                int length = Math.min(Q8Matrix.GROUP, cols - start);
                int vectorEnd = length - length % LANES;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = FloatVector.zero(F);
                FloatVector s3 = FloatVector.zero(F);
                for (int k = 0; k < vectorEnd; k += LANES) {
                    int j = start + k;
                    FloatVector wv = (FloatVector) ByteVector.fromArray(B, q, row + j).convertShape(VectorOperators.B2F, F, 0);
                    s0 = FloatVector.fromArray(F, x, x0 + j).fma(wv, s0);
                    s1 = FloatVector.fromArray(F, x, x1 + j).fma(wv, s1);
                    s2 = FloatVector.fromArray(F, x, x2 + j).fma(wv, s2);
                    s3 = FloatVector.fromArray(F, x, x3 + j).fma(wv, s3);
                }
                FloatVector scale = FloatVector.broadcast(F, s[o * groups + g]);
                a0 = s0.fma(scale, a0);
                a1 = s1.fma(scale, a1);
                a2 = s2.fma(scale, a2);
                a3 = s3.fma(scale, a3);
                float sc = s[o * groups + g];
                for (int k = vectorEnd; k < length; k++) {
                    int j = start + k;
                    float wq = q[row + j] * sc;
                    t0 += x[x0 + j] * wq;
                    t1 += x[x1 + j] * wq;
                    t2 += x[x2 + j] * wq;
                    t3 += x[x3 + j] * wq;
                }
            }
            float b = bias == null ? 0 : bias[o];
            y[r * out + o] = a0.reduceLanes(VectorOperators.ADD) + t0 + b;
            y[(r + 1) * out + o] = a1.reduceLanes(VectorOperators.ADD) + t1 + b;
            y[(r + 2) * out + o] = a2.reduceLanes(VectorOperators.ADD) + t2 + b;
            y[(r + 3) * out + o] = a3.reduceLanes(VectorOperators.ADD) + t3 + b;
        }
    }
}
