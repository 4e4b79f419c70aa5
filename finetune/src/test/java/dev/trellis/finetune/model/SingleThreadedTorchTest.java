package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SingleThreadedTorchTest {

    @BeforeAll
    static void loadPyTorch() {
        Engine.getEngine("PyTorch"); // JniUtils needs the native library, which a model's first array loads
    }

    @Test
    void runsWithOneThreadAndRestoresTheCountAfterwardsEvenWhenTheWorkFails() {
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(2);
        try {
            assertThat(SingleThreadedTorch.run(() -> JniUtils.getNumThreads())).isEqualTo(1);
            assertThat(JniUtils.getNumThreads()).isEqualTo(2);
            // nested: the inner exit does not restore while the outer is still inside
            assertThat(SingleThreadedTorch.run(() -> SingleThreadedTorch.run(() -> 0) + JniUtils.getNumThreads())).isEqualTo(1);
            assertThatThrownBy(() -> SingleThreadedTorch.run(() -> {
                throw new IllegalStateException("failed inside");
            })).hasMessage("failed inside");
            assertThat(JniUtils.getNumThreads()).isEqualTo(2);
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    @Test
    void anInt8ModelsDecodingStepsAndPrefillLeavePyTorchsThreadCountAsTheyFoundIt() {
        Map<String, Object> config = Map.of("model_type", "llama", "vocab_size", 64, "hidden_size", 32,
                "intermediate_size", 64, "num_hidden_layers", 1, "num_attention_heads", 2, "num_key_value_heads", 2,
                "max_position_embeddings", 64, "tie_word_embeddings", true);
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(2);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 3); NDManager m = NDManager.newBaseManager()) {
            model.quantize(Quantization.INT8);
            NDArray decoded = model.forward(m.create(new long[] {1, 2, 3}, new Shape(1, 3)));
            NDArray prefilled = model.forward(m.create(new long[40], new Shape(1, 40)));
            assertThat(decoded.getShape()).isEqualTo(new Shape(1, 3, 64));
            assertThat(prefilled.getShape()).isEqualTo(new Shape(1, 40, 64));
            assertThat(JniUtils.getNumThreads()).isEqualTo(2);
        } finally {
            JniUtils.setNumThreads(before);
        }
    }
}
