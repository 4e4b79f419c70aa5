package dev.trellis.finetune.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Tokenized training sequences plus how they were made; yields padded batches for a trainer.
 *
 * <pre>{@code
 * for (Batch b : dataset.shuffle(seed + epoch).batches(8)) { ... b.inputIds(), b.labels(), b.attentionMask() ... }
 * }</pre>
 */
public final class TokenizedDataset {

    private final List<TokenizedExample> examples;
    private final int padTokenId;
    private final PreparationSummary summary;
    private final List<BadRecord> badRecords;

    public TokenizedDataset(List<TokenizedExample> examples, int padTokenId, PreparationSummary summary,
                            List<BadRecord> badRecords) {
        this.examples = List.copyOf(examples);
        this.padTokenId = padTokenId;
        this.summary = summary;
        this.badRecords = List.copyOf(badRecords);
    }

    public int size() {
        return examples.size();
    }

    public TokenizedExample get(int i) {
        return examples.get(i);
    }

    public List<TokenizedExample> examples() {
        return examples;
    }

    /** The id padding uses (the tokenizer's pad id, its end-of-sequence id unless it has a pad token). */
    public int padTokenId() {
        return padTokenId;
    }

    /** Template, lengths and counts: what to write into {@code trellis.json}. */
    public PreparationSummary summary() {
        return summary;
    }

    /** Records skipped while tokenizing (empty under FAIL, which throws instead). */
    public List<BadRecord> badRecords() {
        return badRecords;
    }

    /** The same sequences in an order fixed by {@code seed} (use seed + epoch for a new order each epoch). */
    public TokenizedDataset shuffle(long seed) {
        List<TokenizedExample> copy = new ArrayList<>(examples);
        Collections.shuffle(copy, new Random(seed));
        return new TokenizedDataset(copy, padTokenId, summary, badRecords);
    }

    /** How many batches' worth of examples one length group holds (Hugging Face's {@code mega_batch_mult}). */
    public static final int LENGTH_GROUP_BATCHES = 50;

    /**
     * Hugging Face's {@code group_by_length}: the order of {@code seed}, cut into groups of
     * {@link #LENGTH_GROUP_BATCHES} batches, each group sorted by length and cut into batches, then the
     * batches in an order of the same seed. A batch holds examples of similar length, so little of a step
     * is padding (docs_qa's examples run from 20 to 260 tokens), and every example is still seen once per
     * epoch; only which examples share a batch is less random.
     */
    public List<Batch> lengthGroupedBatches(int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        List<TokenizedExample> order = shuffle(seed).examples;
        List<Batch> out = new ArrayList<>();
        int group = batchSize * LENGTH_GROUP_BATCHES;
        for (int from = 0; from < order.size(); from += group) {
            List<TokenizedExample> g = new ArrayList<>(order.subList(from, Math.min(order.size(), from + group)));
            g.sort((a, b) -> Integer.compare(b.length(), a.length()));
            for (int i = 0; i < g.size(); i += batchSize) {
                out.add(pad(g.subList(i, Math.min(g.size(), i + batchSize)), Side.RIGHT));
            }
        }
        Collections.shuffle(out, new Random(seed ^ 0x5DEECE66DL));
        return out;
    }

    /** Batches in order, right-padded to the longest sequence of each batch; the last may be smaller. */
    public List<Batch> batches(int batchSize) {
        return batches(batchSize, Side.RIGHT);
    }

    /** Batches padded on {@code paddingSide} (right for training; left lines up the ends for generation). */
    public List<Batch> batches(int batchSize, Side paddingSide) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < examples.size(); from += batchSize) {
            out.add(pad(examples.subList(from, Math.min(examples.size(), from + batchSize)), paddingSide));
        }
        return out;
    }

    private Batch pad(List<TokenizedExample> rows, Side side) {
        int len = rows.stream().mapToInt(TokenizedExample::length).max().orElse(0);
        int n = rows.size();
        int[][] ids = new int[n][len];
        int[][] labels = new int[n][len];
        int[][] mask = new int[n][len];
        int[][] pos = new int[n][len];
        for (int r = 0; r < n; r++) {
            TokenizedExample e = rows.get(r);
            int off = side == Side.LEFT ? len - e.length() : 0;
            Arrays.fill(ids[r], padTokenId);
            Arrays.fill(labels[r], TokenizedExample.IGNORE_INDEX);
            System.arraycopy(e.inputIds(), 0, ids[r], off, e.length());
            System.arraycopy(e.labels(), 0, labels[r], off, e.length());
            System.arraycopy(e.positionIds(), 0, pos[r], off, e.length());
            Arrays.fill(mask[r], off, off + e.length(), 1);
        }
        return new Batch(ids, labels, mask, pos);
    }

    @Override
    public String toString() {
        return "TokenizedDataset[" + examples.size() + " sequences, " + summary.tokens() + " tokens]";
    }
}
