package dev.trellis.finetune.train;

import dev.trellis.finetune.model.ModelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The small model and training setup the copying tests and experiments share: a 2-layer Llama, AdamW 1e-3 constant. */
public final class TwoLayerLlama {

    private TwoLayerLlama() {
    }

    /** d {@code hidden}, 4 heads, SwiGLU 8/3, tied embeddings; {@code specialToken} is its bos and eos id. */
    public static ModelConfig config(int hidden, int vocab, int specialToken) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "llama");
        m.put("vocab_size", vocab);
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
        m.put("bos_token_id", specialToken);
        m.put("eos_token_id", specialToken);
        return ModelConfig.fromMap(m);
    }

    /** {@code steps} steps of {@code batch}, in data order, no checkpoints, a log line every {@code loggingSteps}. */
    public static TrainingArguments arguments(Path dir, int steps, int batch, int loggingSteps) {
        return TrainingArguments.builder().outputDir(dir).learningRate(1e-3).warmupSteps(Math.min(100, steps / 10))
                .lrSchedulerType(SchedulerType.CONSTANT).maxSteps(steps).perDeviceTrainBatchSize(batch).weightDecay(0.1)
                .adamBeta2(0.95).maxGradNorm(1.0).loggingSteps(Math.max(1, loggingSteps)).saveStrategy(IntervalStrategy.NO)
                .seed(1).shuffleTrainData(false).disableTqdm(true).overwriteOutputDir(true).build();
    }
}
