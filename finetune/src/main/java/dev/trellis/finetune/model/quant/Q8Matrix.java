package dev.trellis.finetune.model.quant;

/**
 * A weight matrix [rows (outputs), cols (inputs)] in int8 with one float scale per group of
 * {@link #GROUP} consecutive inputs of a row: w ~ q * scale, q in [-127, 127], scale = max|w| / 127
 * of the group (llama.cpp's Q8_0). When a row's length is not a multiple of 32 its last group is shorter.
 * Immutable; four times smaller than float32 plus one float per group.
 */
public final class Q8Matrix {

    /** Inputs per scale, as in Q8_0. */
    public static final int GROUP = 32;

    private final int rows;
    private final int cols;
    private final int groupsPerRow;
    private final byte[] values;
    private final float[] scales;

    private Q8Matrix(int rows, int cols, byte[] values, float[] scales) {
        this.rows = rows;
        this.cols = cols;
        this.groupsPerRow = (cols + GROUP - 1) / GROUP;
        this.values = values;
        this.scales = scales;
    }

    /** Quantizes a row-major float matrix (round to nearest, ties away from zero). */
    public static Q8Matrix quantize(float[] weights, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || (long) rows * cols != weights.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values; got " + weights.length);
        }
        int groupsPerRow = (cols + GROUP - 1) / GROUP;
        byte[] q = new byte[weights.length];
        float[] scales = new float[rows * groupsPerRow];
        for (int g = 0; g < scales.length; g++) {
            int row = g / groupsPerRow;
            int start = row * cols + (g % groupsPerRow) * GROUP;
            int end = Math.min(start + GROUP, (row + 1) * cols);
            float max = 0;
            for (int i = start; i < end; i++) {
                float w = weights[i];
                if (!Float.isFinite(w)) {
                    throw new IllegalArgumentException("cannot quantize a non-finite weight (" + w + ") at row "
                            + i / cols + ", column " + i % cols);
                }
                max = Math.max(max, Math.abs(w));
            }
            float scale = max / 127f;
            scales[g] = scale;
            if (scale == 0) {
                continue; // an all-zero group stays zero
            }
            float inverse = 1f / scale;
            for (int i = start; i < end; i++) {
                q[i] = (byte) Math.max(-127, Math.min(127, Math.round(weights[i] * inverse)));
            }
        }
        return new Q8Matrix(rows, cols, q, scales);
    }

    /** The float values this matrix stands for (q * scale), row-major. */
    public float[] dequantize() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] * scales[(i / cols) * groupsPerRow + (i % cols) / GROUP];
        }
        return out;
    }

    /** Row {@code row}'s float values (q * scale, as {@link #dequantize()} gives them) into out[offset ..]. */
    public void dequantizeRow(int row, float[] out, int offset) {
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("row " + row + " is outside [0, " + rows + ")");
        }
        int start = row * cols;
        for (int j = 0; j < cols; j++) {
            out[offset + j] = values[start + j] * scales[row * groupsPerRow + j / GROUP];
        }
    }

    /** Number of output rows. */
    public int rows() {
        return rows;
    }

    /** Number of inputs per row. */
    public int cols() {
        return cols;
    }

    /** Scales per row: the row length / 32, rounded up (the last group may be shorter). */
    public int groupsPerRow() {
        return groupsPerRow;
    }

    /** Bytes held: one per weight plus four per scale. */
    public long bytes() {
        return values.length + 4L * scales.length;
    }

    byte[] values() {
        return values;
    }

    float[] scales() {
        return scales;
    }
}
