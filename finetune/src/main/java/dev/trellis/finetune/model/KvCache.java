package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of every attention layer for the tokens a model has already seen, so that
 * generation feeds only the new token each step. Create one with {@link CausalLM#newKvCache()},
 * pass it to {@link CausalLM#forward(NDArray, KvCache)} for the prompt and then for each new token,
 * and close it when the sequence is done. The cache owns its arrays (its own NDManager), so an
 * {@link NDScope} around a decoding step does not free them.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

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

    // ---- reshaping a batch whose members come and go (continuous batching) ----
    // Every row's cache is right-aligned: its positions end at column length() - 1, and the columns before
    // its first token are padding the caller masks out (an attention mask of 0).

    /** Rows (sequences) held; 0 while empty. */
    public int rows() {
        return keys[0] == null ? 0 : (int) keys[0].getShape().get(0);
    }

    /** Native bytes the keys and values occupy. */
    public long bytes() {
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
