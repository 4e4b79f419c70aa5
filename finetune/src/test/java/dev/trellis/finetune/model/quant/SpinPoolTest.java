package dev.trellis.finetune.model.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class SpinPoolTest {

    private final SpinPool pool = new SpinPool(2, "spin-pool-test");

    @Test
    void runsEveryPartOnceAndReturnsOnlyWhenAllAreDone() throws Exception {
        AtomicLongArray counts = new AtomicLongArray(3);
        for (int round = 0; round < 5_000; round++) {
            pool.run(3, counts::incrementAndGet);
            assertThat(counts.get(0)).isEqualTo(round + 1);
            assertThat(counts.get(1)).isEqualTo(round + 1);
            assertThat(counts.get(2)).isEqualTo(round + 1);
            if (round % 1000 == 0) {
                Thread.sleep(2); // longer than the spin: the workers park and must be woken
            }
        }
    }

    /** After a pause the workers are parked and slow to wake, so the caller takes their parts back and runs them. */
    @Test
    void partsTakenBackFromParkedWorkersRunOnce() throws Exception {
        AtomicLongArray counts = new AtomicLongArray(3);
        for (int round = 0; round < 300; round++) {
            Thread.sleep(1); // longer than the spin
            pool.run(3, counts::incrementAndGet);
            pool.run(3, counts::incrementAndGet); // and one right after, the workers maybe still waking
            for (int p = 0; p < 3; p++) {
                assertThat(counts.get(p)).isEqualTo(2L * (round + 1));
            }
        }
        assertThatThrownBy(() -> pool.run(3, p -> {
            if (p == 1) {
                throw new IllegalStateException("part 1 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("part 1 failed");
    }

    @Test
    void aWorkersFailureReachesTheCallerAndThePoolKeepsWorking() {
        assertThatThrownBy(() -> pool.run(3, p -> {
            if (p == 2) {
                throw new IllegalStateException("part 2 failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("part 2 failed");
        AtomicLongArray counts = new AtomicLongArray(3);
        pool.run(3, counts::incrementAndGet);
        assertThat(counts.get(2)).isEqualTo(1);
    }

    @Test
    void concurrentCallersEachGetAllTheirPartsRun() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] runs = new Future<?>[3];
            for (int c = 0; c < 3; c++) {
                runs[c] = callers.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        long[] mine = new long[3];
                        pool.run(3, p -> mine[p]++);
                        assertThat(mine).containsExactly(1, 1, 1);
                    }
                });
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void refusesMorePartsThanThreads() {
        assertThatThrownBy(() -> pool.run(4, p -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 parts for 3 threads");
    }
}
