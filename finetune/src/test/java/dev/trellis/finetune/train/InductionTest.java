package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole training stack (Llama forward with rotary positions, the loss, autograd, AdamW, the
 * Trainer's batching) can grow induction heads: a 2-layer model learns to repeat a random sequence
 * it has never seen, which needs one head that attends to the previous token and one that finds the
 * earlier occurrence. On the development VM it gets there in about 200 of these 300 steps; a broken
 * position, mask or gradient leaves it at chance (1/100).
 */
class InductionTest {

    @TempDir
    Path dir;

    /** Share of labelled positions the model predicts exactly (greedy), over {@code examples}. */
    static double accuracy(CausalLM model, List<TokenizedExample> examples) {
        int right = 0;
        int total = 0;
        try (NDManager nd = NDManager.newBaseManager()) {
            for (TokenizedExample e : examples) {
                NDArray ids = nd.create(Arrays.stream(e.inputIds()).asLongStream().toArray(), new Shape(1, e.length()));
                long[] predicted = model.forward(ids).argMax(-1).toLongArray();
                for (int p = 1; p < e.length(); p++) {
                    if (e.labels()[p] != TokenizedExample.IGNORE_INDEX) {
                        total++;
                        right += predicted[p - 1] == e.labels()[p] ? 1 : 0;
                    }
                }
            }
        }
        return (double) right / total;
    }

    @Test
    void aTwoLayerModelLearnsToRepeatUnseenSequences() {
        Random r = new Random(7);
        List<TokenizedExample> train = new ArrayList<>();
        for (int i = 0; i < 300 * 32; i++) {
            train.add(SyntheticSequences.repeat(r, 12));
        }
        List<TokenizedExample> fresh = new ArrayList<>();
        Random other = new Random(99);
        for (int i = 0; i < 50; i++) {
            fresh.add(SyntheticSequences.repeat(other, 12));
        }
        try (CausalLM model = CausalLM.create(TwoLayerLlama.config(128, SyntheticSequences.VOCAB, 2), 1)) {
            double before = accuracy(model, fresh);
            Trainer.builder().model(model).args(TwoLayerLlama.arguments(dir, 300, 32, 30)).trainDataset(SyntheticSequences.dataset(train))
                    .build().train();
            assertThat(before).isLessThan(0.1);
            assertThat(accuracy(model, fresh)).isGreaterThan(0.95);
        }
    }
}
