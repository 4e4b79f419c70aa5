package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

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
