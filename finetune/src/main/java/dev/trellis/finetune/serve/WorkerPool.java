package dev.trellis.finetune.serve;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that runs model work: {@code workers} threads and a queue of
 * {@code queueCapacity} waiting requests. HTTP threads only parse and write; generation happens
 * here, so the number of concurrent forward passes is what the model (and the machine) can take.
 * When the queue is full a request is refused at once with a 429 whose {@code Retry-After} is
 * estimated from the recent time per request.
 */
final class WorkerPool implements AutoCloseable {

    private final ThreadPoolExecutor executor;
    private final int workers;
    private final int queueCapacity;
    /** Exponential moving average of a task's run time, in nanoseconds (0 before the first). */
    private volatile double averageNanos;

    WorkerPool(int workers, int queueCapacity) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
        }
        this.workers = workers;
        this.queueCapacity = queueCapacity;
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, "trellis-serve-worker-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), threads, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Queues {@code work}; throws a 429 {@link OpenAiApiException} when the queue is full. */
    <T> Future<T> submit(Callable<T> work) {
        try {
            return executor.submit(() -> {
                long start = System.nanoTime();
                try {
                    return work.call();
                } finally {
                    record(System.nanoTime() - start);
                }
            });
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                throw OpenAiApiException.shuttingDown();
            }
            throw OpenAiApiException.queueFull(queueCapacity, retryAfterSeconds());
        }
    }

    private void record(long nanos) {
        double previous = averageNanos;
        averageNanos = previous == 0 ? nanos : 0.8 * previous + 0.2 * nanos;
    }

    /** How long until a slot is likely free: the queue ahead, drained by all workers. */
    int retryAfterSeconds() {
        double perRequest = averageNanos == 0 ? 1e9 : averageNanos;
        double wait = perRequest * (executor.getQueue().size() + 1) / workers / 1e9;
        return (int) Math.max(1, Math.min(60, Math.ceil(wait)));
    }

    int workers() {
        return workers;
    }

    int queueCapacity() {
        return queueCapacity;
    }

    int queued() {
        return executor.getQueue().size();
    }

    int active() {
        return executor.getActiveCount();
    }

    /** Refuses new work, lets queued and running work finish for up to {@code timeout}. */
    boolean shutdown(Duration timeout) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
