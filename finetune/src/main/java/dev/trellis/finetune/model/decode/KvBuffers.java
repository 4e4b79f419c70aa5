package dev.trellis.finetune.model.decode;

/**
 * The keys and values of every layer as Java arrays, for the fused decoding step: per layer one
 * array of keys and one of values, each laid out [row][kvHead][capacity][headDim], so a head's
 * history is one contiguous run that attention reads front to back. Rows are right-aligned as in
 * the model's {@code KvCache}: all share {@link #length()} columns, padding masked by the caller.
 * The capacity doubles when a step needs more room, so appending costs a copy only now and then.
 */
public final class KvBuffers {

    private static final int MIN_CAPACITY = 32;

    private final int rows;
    private final int kvHeads;
    private final int headDim;
    private final float[][] keys;
    private final float[][] values;
    private int length;
    private int capacity;

    /** Empty buffers for {@code layers} layers of {@code rows} rows, room for {@code expected} columns. */
    public KvBuffers(int layers, int rows, int kvHeads, int headDim, int expected) {
        this.rows = rows;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.capacity = Math.max(MIN_CAPACITY, expected);
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[rows * kvHeads * capacity * headDim];
            values[l] = new float[rows * kvHeads * capacity * headDim];
        }
    }

    /**
     * Copies one layer's cached keys and values in, dense [rows, kvHeads, columns, headDim] as the
     * model's cache holds them; every layer must be loaded with the same {@code columns}.
     */
    public void load(int layer, float[] denseKeys, float[] denseValues, int columns) {
        if (columns > capacity) {
            throw new IllegalArgumentException(columns + " columns do not fit the capacity " + capacity);
        }
        int run = columns * headDim;
        for (int rh = 0; rh < rows * kvHeads; rh++) {
            System.arraycopy(denseKeys, rh * run, keys[layer], rh * capacity * headDim, run);
            System.arraycopy(denseValues, rh * run, values[layer], rh * capacity * headDim, run);
        }
        length = columns;
    }

    /** One layer's keys ({@code values == false}) or values, dense [rows, kvHeads, length, headDim]. */
    public float[] dense(int layer, boolean ofValues) {
        float[] from = ofValues ? values[layer] : keys[layer];
        int run = length * headDim;
        float[] out = new float[rows * kvHeads * run];
        for (int rh = 0; rh < rows * kvHeads; rh++) {
            System.arraycopy(from, rh * capacity * headDim, out, rh * run, run);
        }
        return out;
    }

    /** Makes room for one more column (the next {@link #advance()}), doubling the capacity when full. */
    void reserveColumn() {
        if (length < capacity) {
            return;
        }
        int grown = capacity * 2;
        for (int l = 0; l < keys.length; l++) {
            keys[l] = regrown(keys[l], grown);
            values[l] = regrown(values[l], grown);
        }
        capacity = grown;
    }

    private float[] regrown(float[] old, int grown) {
        float[] fresh = new float[rows * kvHeads * grown * headDim];
        int run = length * headDim;
        for (int rh = 0; rh < rows * kvHeads; rh++) {
            System.arraycopy(old, rh * capacity * headDim, fresh, rh * grown * headDim, run);
        }
        return fresh;
    }

    /** Counts the column every layer has just written (at index {@link #length()} before the call). */
    void advance() {
        length++;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Where column 0 of {@code row}'s {@code kvHead} starts in a layer's array. */
    int offset(int row, int kvHead) {
        return (row * kvHeads + kvHead) * capacity * headDim;
    }

    public int rows() {
        return rows;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int layers() {
        return keys.length;
    }

    /** Columns held (the model's cache length). */
    public int length() {
        return length;
    }
}
