package dev.trellis.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The memory-read bandwidth this machine gives now: every core sums its share of a 256 MB array
 * (far larger than any cache), best of several passes. Decoding one token reads every weight once,
 * so bytes per token / this is the fastest decoding can go; a busy machine lowers it, which is why
 * benchmarks measure it in the same run as what they compare with it.
 */
final class MemoryBandwidth {

    private static final int LONGS = 32 * 1024 * 1024; // 256 MB

    private MemoryBandwidth() {
    }

    /** Bytes read per second, the best of {@code passes}. */
    static double measure(int passes) {
        long[] data = new long[LONGS];
        for (int i = 0; i < data.length; i++) {
            data[i] = i; // touch every page so the first pass does not measure page faults
        }
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            long sink = 0;
            for (int p = 0; p < passes; p++) {
                long start = System.nanoTime();
                List<Future<Long>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int from = (int) ((long) LONGS * t / threads);
                    int to = (int) ((long) LONGS * (t + 1) / threads);
                    parts.add(pool.submit(() -> sum(data, from, to)));
                }
                for (Future<Long> f : parts) {
                    sink += f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 8.0 * LONGS / seconds);
            }
            if (sink == 42) {
                System.out.print(""); // keeps the sums alive
            }
            return best;
        } catch (Exception e) {
            throw new IllegalStateException("memory bandwidth probe failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long sum(long[] data, int from, int to) {
        long a = 0;
        long b = 0;
        long c = 0;
        long d = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) { // four chains so the adds do not wait on each other
            a += data[i];
            b += data[i + 1];
            c += data[i + 2];
            d += data[i + 3];
        }
        for (; i < to; i++) {
            a += data[i];
        }
        return a + b + c + d;
    }
}
