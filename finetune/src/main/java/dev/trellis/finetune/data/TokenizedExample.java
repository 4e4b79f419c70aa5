package dev.trellis.finetune.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One training sequence for a causal language model.
 *
 * <p>{@code labels[i]} is the token expected at position {@code i} ({@code inputIds[i]}) or
 * {@link #IGNORE_INDEX} where no loss is taken (prompt tokens by default, and the first token of
 * each packed segment). As in Hugging Face, labels are not shifted: the model shifts them, scoring
 * the logits at {@code i-1} against {@code labels[i]}. {@code positionIds} restart at 0 for each
 * example packed into the sequence.
 */
public record TokenizedExample(int[] inputIds, int[] labels, int[] positionIds) {

    /** The label that tells the loss to skip a position (PyTorch's {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;

    public TokenizedExample {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(positionIds, "positionIds");
        if (labels.length != inputIds.length || positionIds.length != inputIds.length) {
            throw new IllegalArgumentException("inputIds, labels and positionIds differ in length: "
                    + inputIds.length + ", " + labels.length + ", " + positionIds.length);
        }
    }

    /** A single (unpacked) example: positions 0..n-1. */
    public TokenizedExample(int[] inputIds, int[] labels) {
        this(inputIds, labels, range(inputIds.length));
    }

    public int length() {
        return inputIds.length;
    }

    /** Positions that contribute to the loss. */
    public int labelCount() {
        int n = 0;
        for (int l : labels) {
            if (l != IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }

    static int[] range(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedExample t && Arrays.equals(inputIds, t.inputIds)
                && Arrays.equals(labels, t.labels) && Arrays.equals(positionIds, t.positionIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels)) + Arrays.hashCode(positionIds);
    }

    @Override
    public String toString() {
        return "TokenizedExample[" + inputIds.length + " tokens, " + labelCount() + " labelled]";
    }
}
