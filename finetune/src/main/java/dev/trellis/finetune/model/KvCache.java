package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.decode.KvBuffers;

/**
 * The keys and values of every attention layer for the tokens a model has already seen, so that
 * generation feeds only the new token each step. Create one with {@link CausalLM#newKvCache()},
 * pass it to {@link CausalLM#forward(NDArray, KvCache)} for the prompt and then for each new token,
 * and close it when the sequence is done. The cache owns its arrays (its own NDManager), so an
 * {@link NDScope} around a decoding step does not free them.
 *
 * <p>An int8 model's fused decoding step keeps the keys and values in Java arrays instead
 * ({@link KvBuffers}), loaded from the NDArrays on its first step. One side is the truth at a time:
 * after a fused step the NDArrays are freed, and every operation here that reads or reshapes them
 * first writes the Java side back into new ones and then drops it (the next fused step loads it again).
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;
    /** The fused decoding step's copy; null until a fused step runs, and again after any use of the arrays. */
    private KvBuffers buffers;
    /** Whether fused steps appended to {@link #buffers} since the arrays were last written. */
    private boolean arraysStale;

    KvCache(NDManager parent, int numLayers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Number of positions cached (the past length the next forward call continues from). */
    public int length() {
        return length;
    }

    /**
     * Appends this step's keys and values for one layer and returns the whole history.
     * Shapes are [batch, kvHeads, steps, headDim].
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        toArrays();
        NDArray fullK = keys[layer] == null ? k.duplicate() : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray fullV = values[layer] == null ? v.duplicate() : NDArrays.concat(new NDList(values[layer], v), 2);
        fullK.attach(manager);
        fullV.attach(manager);
        NDScope.unregister(fullK, fullV);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = fullK;
        values[layer] = fullV;
        return new NDArray[] {fullK, fullV};
    }

    /** Called by the model once every layer has appended {@code steps} positions. */
    void advance(int steps) {
        length += steps;
    }

    // ---- the fused decoding step's side (see the class comment) ----

    /**
     * The Java-side keys and values for a fused decoding step over {@code rows} rows, loaded from the arrays
     * the first time. The step appends one column to them; then call {@link #fusedStepDone()}.
     */
    KvBuffers buffers(int rows, int kvHeads, int headDim) {
        if (buffers == null) {
            if (keys[0] != null && rows() != rows) {
                throw new IllegalArgumentException("the cache holds " + rows() + " rows but the input ids have " + rows
                        + "; a cache continues the batch it was filled with");
            }
            KvBuffers fresh = new KvBuffers(keys.length, rows, kvHeads, headDim, 2 * length);
            if (keys[0] != null) {
                for (int layer = 0; layer < keys.length; layer++) {
                    fresh.load(layer, keys[layer].toFloatArray(), values[layer].toFloatArray(), length);
                }
            }
            buffers = fresh;
        } else if (buffers.rows() != rows) {
            throw new IllegalArgumentException("the cache holds " + buffers.rows() + " rows but the input ids have " + rows
                    + "; a cache continues the batch it was filled with");
        }
        return buffers;
    }

    /** A fused step appended one column to {@link #buffers}: the arrays are behind now, and freed until needed. */
    void fusedStepDone() {
        length++;
        if (!arraysStale) {
            arraysStale = true;
            for (int layer = 0; layer < keys.length; layer++) {
                if (keys[layer] != null) {
                    keys[layer].close();
                    values[layer].close();
                    keys[layer] = null;
                    values[layer] = null;
                }
            }
        }
    }

    /** Whether fused steps hold the latest keys and values (tests check that the fused path ran). */
    boolean heldInJava() {
        return arraysStale;
    }

    /** Makes the arrays the truth again: writes back what fused steps appended, and drops the Java side. */
    private void toArrays() {
        if (arraysStale) {
            Shape shape = new Shape(buffers.rows(), buffers.kvHeads(), length, buffers.headDim());
            for (int layer = 0; layer < keys.length; layer++) {
                NDArray k = manager.create(buffers.dense(layer, false), shape);
                NDArray v = manager.create(buffers.dense(layer, true), shape);
                keys[layer] = own(k);
                values[layer] = own(v);
            }
            arraysStale = false;
        }
        buffers = null;
    }

    // ---- reshaping a batch whose members come and go (continuous batching) ----
    // Every row's cache is right-aligned: its positions end at column length() - 1, and the columns before
    // its first token are padding the caller masks out (an attention mask of 0).

    /** Rows (sequences) held; 0 while empty. */
    public int rows() {
        if (buffers != null) {
            return buffers.rows();
        }
        return keys[0] == null ? 0 : (int) keys[0].getShape().get(0);
    }

    /** Native bytes the keys and values occupy. */
    public long bytes() {
        if (arraysStale) { // what the arrays will hold once written back
            return 2L * keys.length * buffers.rows() * buffers.kvHeads() * length * buffers.headDim() * Float.BYTES;
        }
        long total = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                total += keys[i].size() * keys[i].getDataType().getNumOfBytes();
                total += values[i].size() * values[i].getDataType().getNumOfBytes();
            }
        }
        return total;
    }

    /** Keeps only the rows at {@code kept} (ascending indices), freeing the others' memory at once. */
    public void keepRows(int[] kept) {
        if (kept.length == 0) {
            clear();
            return;
        }
        if (kept.length == rows()) {
            return;
        }
        toArrays();
        long[] index = new long[kept.length];
        for (int i = 0; i < kept.length; i++) {
            index[i] = kept[i];
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray rowIndex = scratch.create(index);
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer] = replace(keys[layer], keys[layer].get(new NDIndex("{}", rowIndex)));
                values[layer] = replace(values[layer], values[layer].get(new NDIndex("{}", rowIndex)));
            }
        }
    }

    /** Drops the first {@code columns} columns (padding in every row), shortening {@link #length()}. */
    public void dropLeft(int columns) {
        if (columns <= 0 || rows() == 0) {
            return;
        }
        if (columns > length) {
            throw new IllegalArgumentException("cannot drop " + columns + " of " + length + " columns");
        }
        toArrays();
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = replace(keys[layer], keys[layer].get(new NDIndex(":, :, {}:", columns)));
            values[layer] = replace(values[layer], values[layer].get(new NDIndex(":, :, {}:", columns)));
        }
        length -= columns;
    }

    /**
     * Moves every row of {@code other} (a cache of the same model) below this cache's rows, left-padding
     * whichever is shorter with zero columns so both stay right-aligned; {@code other} is left empty.
     */
    public void absorb(KvCache other) {
        if (other.keys.length != keys.length) {
            throw new IllegalArgumentException("caches of different models: " + other.keys.length + " vs " + keys.length
                    + " layers");
        }
        if (other.rows() == 0) {
            return;
        }
        toArrays();
        other.toArrays();
        if (rows() == 0) {
            clear();
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer] = own(other.keys[layer].duplicate());
                values[layer] = own(other.values[layer].duplicate());
            }
            length = other.length;
            other.clear();
            return;
        }
        int total = Math.max(length, other.length);
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = replace(keys[layer], stacked(keys[layer], total - length, other.keys[layer], total - other.length));
            values[layer] = replace(values[layer], stacked(values[layer], total - length, other.values[layer],
                    total - other.length));
        }
        length = total;
        other.clear();
    }

    /** {@code top} over {@code bottom} along the rows, each left-padded by its number of zero columns. */
    private NDArray stacked(NDArray top, int topPad, NDArray bottom, int bottomPad) {
        NDArray a = padded(top, topPad);
        NDArray b = padded(bottom, bottomPad);
        NDArray joined = NDArrays.concat(new NDList(a, b), 0);
        if (a != top) {
            a.close();
        }
        if (b != bottom) {
            b.close();
        }
        return joined;
    }

    /** {@code array} with {@code columns} zero columns before it (a new array), or itself when there are none. */
    private NDArray padded(NDArray array, int columns) {
        if (columns == 0) {
            return array;
        }
        Shape shape = array.getShape();
        NDArray zeros = manager.zeros(new Shape(shape.get(0), shape.get(1), columns, shape.get(3)), array.getDataType());
        NDArray joined = NDArrays.concat(new NDList(zeros, array), 2);
        zeros.close();
        return joined;
    }

    private NDArray own(NDArray array) {
        array.attach(manager);
        NDScope.unregister(array);
        return array;
    }

    /** Frees {@code old} and takes ownership of {@code fresh}. */
    private NDArray replace(NDArray old, NDArray fresh) {
        own(fresh);
        old.close();
        return fresh;
    }

    /** Empties the cache for a new sequence. */
    public void clear() {
        buffers = null;
        arraysStale = false;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
        length = 0;
    }

    @Override
    public void close() {
        clear();
        manager.close();
    }
}
