package dev.trellis.finetune.model.quant;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Worker threads that wait for the next part of a matrix product by spinning for a short while, then
 * parking, as OpenMP's workers do. A decoding step runs dozens of products a few tens of microseconds
 * apart: handing a part to a thread that is still spinning costs well under a microsecond, where an
 * executor's park/unpark round trip costs tens and (on a busy 2-core machine) sometimes a whole
 * scheduler slice. After {@link #SPIN_NANOS} without work a worker parks, so an idle model costs no CPU.
 *
 * <p>One product at a time: a caller that finds the pool busy (another thread decoding) runs its
 * product alone rather than queueing behind it.
 *
 * <p>A part no worker has started by the time the caller finishes its own, the caller takes back and
 * runs itself. A worker that is spinning starts within a microsecond, so on an idle machine this never
 * happens; on a machine busy with other processes a worker may wait a whole scheduler slice for a core,
 * and the caller, which has one, would otherwise spin that long for every product of a decoding step.
 */
final class SpinPool {

    /** How long a worker keeps spinning after its last part: longer than the gaps inside a decoding step. */
    static final long SPIN_NANOS = 200_000;

    private final Worker[] workers;
    private final ReentrantLock busy = new ReentrantLock();

    SpinPool(int threads, String name) {
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(name + "-" + (i + 1));
            workers[i].start();
        }
    }

    /** Number of worker threads (the caller is one more). */
    int workers() {
        return workers.length;
    }

    /**
     * Runs {@code part.accept(p)} for p in [0, parts): part 0 on the calling thread, the others on the
     * workers, and returns when all are done. Runs every part on the caller when the pool is in use.
     */
    void run(int parts, IntConsumer part) {
        if (parts > workers.length + 1) {
            throw new IllegalArgumentException(parts + " parts for " + (workers.length + 1) + " threads");
        }
        if (parts == 1 || !busy.tryLock()) {
            for (int p = 0; p < parts; p++) {
                part.accept(p);
            }
            return;
        }
        try {
            for (int p = 1; p < parts; p++) {
                workers[p - 1].post(part, p);
            }
            Throwable failure = null;
            try {
                part.accept(0);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int p = 1; p < parts; p++) {
                Throwable t = null;
                if (workers[p - 1].takeBack()) {
                    try {
                        part.accept(p);
                    } catch (RuntimeException | Error e) {
                        t = e;
                    }
                } else {
                    t = workers[p - 1].await();
                }
                if (failure == null) {
                    failure = t;
                }
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
        } finally {
            busy.unlock();
        }
    }

    private static final class Worker extends Thread {
        // written by the caller before posted, read by the worker after it sees posted change
        private IntConsumer task;
        private int part;
        private Throwable failure;
        private volatile long posted;
        private volatile long finished;
        private volatile boolean parked;
        /** The last post someone (this worker, or the caller taking it back) has started. */
        private final AtomicLong claimed = new AtomicLong();

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void post(IntConsumer task, int part) {
            this.task = task;
            this.part = part;
            this.failure = null;
            posted = posted + 1; // only the pool's lock holder writes it
            if (parked) {
                LockSupport.unpark(this); // parked is read after posted is written: see run()
            }
        }

        /** Claims the posted part for the caller if this worker has not started it. */
        boolean takeBack() {
            long target = posted;
            return claimed.compareAndSet(target - 1, target);
        }

        Throwable await() {
            long target = posted;
            while (finished != target) {
                Thread.onSpinWait();
            }
            return failure;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (posted == seen) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                        continue;
                    }
                    // parked is written before posted is read again: a post either is seen here or sees parked
                    parked = true;
                    if (posted == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
                seen = posted;
                if (!claimed.compareAndSet(seen - 1, seen)) {
                    continue; // the caller took it back and runs it
                }
                try {
                    task.accept(part);
                } catch (Throwable t) {
                    failure = t;
                }
                finished = seen;
            }
        }
    }
}
