package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.quant.Q8Kernel;
import dev.trellis.finetune.model.quant.Q8Matrix;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The int8 side of {@link AbstractCausalLM}'s {@code linear} seam. The first time a weight passes
 * through it, the weight is quantized to {@link Q8Matrix} and the float parameter is overwritten with
 * the dequantized values, so that DJL (prefill, large batches) and the int8 kernel (decoding) compute
 * with the same weights. After that, calls with at most {@link #MAX_ROWS} activation rows run
 * {@link Q8Kernel}; larger ones stay on DJL, whose float matmul is faster once it is compute-bound.
 */
final class Int8Linears {

    /** Activation rows (batch x new tokens) up to which the int8 kernel beats DJL's float matmul. */
    static final int MAX_ROWS = 16;

    private record Entry(Q8Matrix matrix, NDArray bias, float[] biasValues) {
    }

    private final NDManager manager;
    private final Map<NDArray, Entry> byWeight = new IdentityHashMap<>();

    Int8Linears(NDManager manager) {
        this.manager = manager;
    }

    /**
     * A forward pass over {@code tokens} (batch x new tokens): a decoding step (at most {@link #MAX_ROWS})
     * runs with PyTorch on one thread, leaving the cores to the int8 kernel (see {@link SingleThreadedTorch}).
     */
    NDArray forward(long tokens, Supplier<NDArray> pass) {
        return tokens > MAX_ROWS ? pass.get() : SingleThreadedTorch.run(pass);
    }

    NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        Entry e = entry(weight, bias);
        Shape shape = x.getShape();
        int cols = (int) shape.get(shape.dimension() - 1);
        long rows = shape.size() / cols;
        if (rows > MAX_ROWS || x.getDataType() != DataType.FLOAT32) {
            return AbstractCausalLM.djlLinear(x, weight, bias);
        }
        float[] y = new float[(int) rows * e.matrix().rows()];
        Q8Kernel.multiply(x.toFloatArray(), (int) rows, e.matrix(), e.biasValues(), y);
        long[] outShape = shape.getShape().clone();
        outShape[outShape.length - 1] = e.matrix().rows();
        return x.getManager().create(y, new Shape(outShape));
    }

    /** Whether {@code weight} has passed through {@link #linear} and so is int8 (its float values dequantized). */
    synchronized boolean quantized(NDArray weight) {
        return byWeight.containsKey(weight);
    }

    /** The int8 form of {@code weight}, which must have passed through {@link #linear} already. */
    synchronized Q8Matrix matrix(NDArray weight) {
        Entry e = byWeight.get(weight);
        if (e == null) {
            throw new IllegalStateException("weight " + weight.getShape() + " has not been quantized; every projection "
                    + "passes through linear during quantize()");
        }
        return e.matrix();
    }

    /** Bytes of int8 weights and scales held. */
    synchronized long bytes() {
        return byWeight.values().stream().mapToLong(e -> e.matrix().bytes()).sum();
    }

    /** Number of weight matrices quantized so far. */
    synchronized int size() {
        return byWeight.size();
    }

    private synchronized Entry entry(NDArray weight, NDArray bias) {
        Entry e = byWeight.get(weight);
        if (e != null) {
            if (e.bias() != bias) {
                throw new IllegalStateException("a quantized weight was used with another bias than before; "
                        + "the model's linear layers must each pair one weight with one bias");
            }
            return e;
        }
        Shape shape = weight.getShape();
        if (shape.dimension() != 2 || weight.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("int8 quantization needs float32 [out, in] weights; got "
                    + weight.getDataType() + " " + shape);
        }
        Q8Matrix q = Q8Matrix.quantize(weight.toFloatArray(), (int) shape.get(0), (int) shape.get(1));
        try (NDArray snapped = manager.create(q.dequantize(), shape)) {
            weight.set(new NDIndex("..."), snapped); // in place, as copyParametersFrom does
        }
        e = new Entry(q, bias, bias == null ? null : bias.toFloatArray());
        byWeight.put(weight, e);
        return e;
    }
}
