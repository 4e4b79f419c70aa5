package dev.trellis.framework.chains;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** How {@link Chain#batch} and {@link Chain#callAsync} run calls off the caller's thread. */
final class ChainExecution {

    /** Shared by every {@code callAsync} without an executor: daemon threads, created as needed. */
    static final ExecutorService ASYNC = Executors.newCachedThreadPool(daemons("trellis-chain-async-"));

    private ChainExecution() {
    }

    static CompletableFuture<Map<String, Object>> callAsync(Chain chain, Map<String, Object> inputs, Executor executor) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(executor, "executor");
        return CompletableFuture.supplyAsync(() -> chain.call(inputs), executor);
    }

    static List<BatchResult> batch(Chain chain, List<? extends Map<String, Object>> inputs, int maxConcurrency) {
        Objects.requireNonNull(inputs, "inputs");
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("batch: maxConcurrency must be at least 1, got " + maxConcurrency);
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) {
                throw new IllegalArgumentException("batch: input " + i + " is null; pass a map for every input");
            }
        }
        List<BatchResult> results = new ArrayList<>(inputs.size());
        if (inputs.isEmpty()) {
            return results;
        }
        int threads = Math.min(maxConcurrency, inputs.size());
        if (threads == 1) {
            for (int i = 0; i < inputs.size(); i++) {
                results.add(one(chain, i, inputs.get(i)));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemons("trellis-chain-batch-"));
        List<Future<BatchResult>> futures = new ArrayList<>(inputs.size());
        try {
            for (int i = 0; i < inputs.size(); i++) {
                int index = i;
                Map<String, Object> input = inputs.get(i);
                futures.add(pool.submit(() -> one(chain, index, input)));
            }
            for (Future<BatchResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("batch was interrupted after " + results.size() + " of "
                    + inputs.size() + " inputs", e);
        } catch (ExecutionException e) {
            // only an Error escapes one(): let it through
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            futures.forEach(f -> f.cancel(true));
            pool.shutdownNow();
        }
    }

    private static BatchResult one(Chain chain, int index, Map<String, Object> input) {
        try {
            return BatchResult.success(index, input, chain.call(input));
        } catch (RuntimeException e) {
            return BatchResult.failure(index, input, e);
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
