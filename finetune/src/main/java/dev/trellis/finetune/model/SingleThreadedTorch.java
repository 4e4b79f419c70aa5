package dev.trellis.finetune.model;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs an int8 model's decoding steps with PyTorch on one thread. The int8 kernel splits each matrix
 * product over every core with spinning workers; PyTorch's OpenMP workers, woken by a step's small ops
 * (norms, rotary, attention), keep spinning for milliseconds after each (libgomp's default wait policy),
 * and the two fought over the cores: on the 2-core VM pythia-160m's int8 products read 4 GB/s of weights
 * beside them and 11 GB/s with PyTorch on one thread, whose small ops also ran faster so.
 *
 * <p>Counted, so that overlapping decoders restore PyTorch's thread count only when the last one leaves.
 */
final class SingleThreadedTorch {

    private static int inside;
    private static int saved;

    private SingleThreadedTorch() {
    }

    static <T> T run(Supplier<T> work) {
        enter();
        try {
            return work.get();
        } finally {
            exit();
        }
    }

    private static synchronized void enter() {
        if (inside++ == 0) {
            saved = JniUtils.getNumThreads();
            if (saved != 1) {
                JniUtils.setNumThreads(1);
            }
        }
    }

    private static synchronized void exit() {
        if (--inside == 0 && saved != 1) {
            JniUtils.setNumThreads(saved);
        }
    }
}
