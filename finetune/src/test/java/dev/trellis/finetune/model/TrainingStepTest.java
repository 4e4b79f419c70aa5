package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real parts: a tiny GPT-NeoX learns from a small corpus with DJL autograd and a
 * hand-written optimizer step, then survives a save and reload. Tokens are bytes here (the BPE
 * tokenizer lives in the tokenizer package; this test needs only ids).
 */
class TrainingStepTest {

    private static final String CORPUS = "Trellis trains small language models on the CPU. "
            + "A checkpoint holds config.json and model.safetensors. "
            + "The model answers questions about the product catalog. ";

    @TempDir
    Path tmp;

    @Test
    void lossDecreasesWithAutogradStepsAndTheTrainedModelReloads() {
        Map<String, Object> cfg = TinyModels.gptNeoX();
        cfg.put("vocab_size", 256);
        cfg.put("max_position_embeddings", 128);
        byte[] bytes = CORPUS.getBytes(StandardCharsets.US_ASCII);
        int batch = 4;
        int steps = 32;
        long[] ids = new long[batch * steps];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                ids[b * steps + t] = bytes[(b * 29 + t) % bytes.length];
            }
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
             CausalLM model = CausalLM.create(ModelConfig.fromMap(cfg), 123, Device.cpu())) {
            NDArray input = manager.create(ids, new Shape(batch, steps));
            float[] losses = new float[6];
            for (int step = 0; step < losses.length; step++) {
                try (NDScope ignored = new NDScope()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = LanguageModelingLoss.crossEntropy(model.forward(input), input);
                        losses[step] = loss.getFloat();
                        gc.backward(loss);
                    }
                    for (Parameter p : model.parameters()) {
                        NDArray grad = p.array().getGradient();
                        p.array().subi(grad.mul(0.3f)); // plain SGD, outside the collector: not recorded
                        grad.subi(grad); // gradients accumulate until zeroed
                    }
                    NDArray first = model.parameters().get(0).array().getGradient();
                    assertThat(first.abs().max().getFloat()).as("gradient zeroed in place").isZero();
                }
            }
            assertThat(losses[0]).isBetween((float) Math.log(256) - 0.5f, (float) Math.log(256) + 0.5f);
            for (int i = 1; i < losses.length; i++) {
                assertThat(losses[i]).as("loss after step %d: %s", i, java.util.Arrays.toString(losses))
                        .isLessThan(losses[i - 1]);
            }
            float[] trained = model.forward(input).toFloatArray();
            model.save(tmp.resolve("trained"));
            try (CausalLM reloaded = CausalLM.load(tmp.resolve("trained"), Device.cpu())) {
                assertThat(reloaded.forward(input).toFloatArray()).containsExactly(trained);
            }
        }
    }
}
