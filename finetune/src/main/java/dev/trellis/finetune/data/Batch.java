package dev.trellis.finetune.data;

/**
 * A padded batch, row-major {@code [batchSize][sequenceLength]}, ready to become NDArrays.
 *
 * @param inputIds      token ids, padded with the pad id
 * @param labels        targets aligned with {@code inputIds}; padding and masked positions hold -100
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param positionIds   position of each token within its example (0 on padding)
 */
public record Batch(int[][] inputIds, int[][] labels, int[][] attentionMask, int[][] positionIds) {

    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** Real (unpadded) tokens in the batch. */
    public int tokenCount() {
        int n = 0;
        for (int[] row : attentionMask) {
            for (int m : row) {
                n += m;
            }
        }
        return n;
    }

    /** Positions that contribute to the loss. */
    public int labelCount() {
        int n = 0;
        for (int[] row : labels) {
            for (int l : row) {
                if (l != TokenizedExample.IGNORE_INDEX) {
                    n++;
                }
            }
        }
        return n;
    }

    /** {@code rows} flattened row-major, as {@code NDManager.create(long[], Shape)} wants it. */
    public static long[] flatten(int[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        long[] out = new long[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = rows[r][c];
            }
        }
        return out;
    }
}
