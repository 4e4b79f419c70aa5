package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    static ModelConfig twoLayers(int hidden) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "llama");
        m.put("vocab_size", SyntheticSequences.VOCAB);
        m.put("hidden_size", hidden);
        m.put("intermediate_size", hidden * 8 / 3);
        m.put("num_hidden_layers", 2);
        m.put("num_attention_heads", 4);
        m.put("num_key_value_heads", 4);
        m.put("max_position_embeddings", 512);
        m.put("rms_norm_eps", 1e-5);
        m.put("rope_theta", 10000.0);
        m.put("tie_word_embeddings", true);
        m.put("hidden_act", "silu");
        m.put("bos_token_id", 2);
        m.put("eos_token_id", 2);
        return ModelConfig.fromMap(m);
    }

    static TrainingArguments arguments(Path dir, int steps, int batch) {
        return TrainingArguments.builder().outputDir(dir).learningRate(1e-3).warmupSteps(Math.min(100, steps / 10))
                .lrSchedulerType(SchedulerType.CONSTANT).maxSteps(steps).perDeviceTrainBatchSize(batch).weightDecay(0.1)
                .adamBeta2(0.95).maxGradNorm(1.0).loggingSteps(Math.max(1, steps / 10)).saveStrategy(IntervalStrategy.NO)
                .seed(1).shuffleTrainData(false).disableTqdm(true).overwriteOutputDir(true).build();
    }

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
        try (CausalLM model = CausalLM.create(twoLayers(128), 1)) {
            double before = accuracy(model, fresh);
            Trainer.builder().model(model).args(arguments(dir, 300, 32)).trainDataset(SyntheticSequences.dataset(train))
                    .build().train();
            assertThat(before).isLessThan(0.1);
            assertThat(accuracy(model, fresh)).isGreaterThan(0.95);
        }
    }
}
