package dev.trellis.finetune.generate;

/**
 * A live view of a {@link BatchScheduler}, for dashboards and health checks.
 *
 * @param batchSize         sequences decoding right now
 * @param waiting           requests submitted but not yet in the batch
 * @param maxBatchSize      the batch's bound
 * @param kvCacheBytes      bytes the running batch's keys and values occupy now
 * @param kvCacheBudget     the bound on them
 * @param tokensPerSecond   new tokens per second over the last few seconds (0 when idle)
 * @param generatedTokens   new tokens since the scheduler started
 * @param completed         sequences finished (stopped, at their limit, cancelled or failed)
 */
public record SchedulerStats(int batchSize, int waiting, int maxBatchSize, long kvCacheBytes, long kvCacheBudget,
                             double tokensPerSecond, long generatedTokens, long completed) {
}
