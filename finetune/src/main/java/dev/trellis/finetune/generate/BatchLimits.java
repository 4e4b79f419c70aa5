package dev.trellis.finetune.generate;

import java.lang.management.ManagementFactory;

import dev.trellis.finetune.model.CausalLM;

/**
 * How large {@link BatchScheduler}'s running batch may grow: at most {@code maxBatchSize} sequences
 * decoding together, and at most {@code kvCacheBytes} of keys and values, counted for each sequence
 * at its worst (its prompt plus all its new tokens, padded to the longest in the batch), so the cache
 * never outgrows the budget mid-answer. Requests beyond either bound wait their turn.
 *
 * @param maxBatchSize sequences decoded in one step
 * @param kvCacheBytes memory the batch's keys and values may occupy
 */
public record BatchLimits(int maxBatchSize, long kvCacheBytes) {

    /** The batch size {@link #defaults} picks: beyond it a CPU step costs as much per token as a smaller batch. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 32;

    public BatchLimits {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (kvCacheBytes < 1) {
            throw new IllegalArgumentException("kvCacheBytes must be positive, got " + kvCacheBytes);
        }
    }

    /**
     * Limits for {@code model} on this machine: the KV cache may take a quarter of the physical memory the
     * model's weights leave (at least 64 MiB), and the batch holds {@link #DEFAULT_MAX_BATCH_SIZE} sequences,
     * or as many full-context sequences as that memory holds when that is fewer (at least one).
     */
    public static BatchLimits defaults(CausalLM model) {
        long physical = physicalMemoryBytes();
        long left = Math.max(0, physical - model.memoryFootprint());
        long budget = Math.max(64L << 20, left / 4);
        long perSequence = kvBytesPerToken(model) * model.config().maxPositionEmbeddings();
        int fits = (int) Math.max(1, Math.min(DEFAULT_MAX_BATCH_SIZE, budget / Math.max(1, perSequence)));
        return new BatchLimits(fits, budget);
    }

    /** Keys and values of one token in every layer, in the model's data type (an upper bound under grouped-query attention). */
    public static long kvBytesPerToken(CausalLM model) {
        return 2L * model.config().numHiddenLayers() * model.config().hiddenSize() * model.dataType().getNumOfBytes();
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }
}
