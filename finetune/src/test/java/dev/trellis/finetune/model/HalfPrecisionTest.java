package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Float16 working copies (the fp16 trainer's forward/backward model) on the CPU: PyTorch's CPU
 * float16 kernels run the same ops a GPU would, so the numerics are checked here against float32.
 */
class HalfPrecisionTest {

    @TempDir
    Path tmp;

    private NDManager manager;

    static Stream<Arguments> models() {
        return TinyModels.all().stream().map(a -> Arguments.of(a[0], a[1]));
    }

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray ids(long seed, int batch, int steps) {
        Random r = new Random(seed);
        long[] v = new long[batch * steps];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(TinyModels.VOCAB);
        }
        return manager.create(v, new Shape(batch, steps));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aFloat16CopyComputesTheSameLogitsAndGradientsAsFloat32(String name, Map<String, Object> config) {
        try (CausalLM master = CausalLM.create(ModelConfig.fromMap(config), 42, Device.cpu());
             CausalLM half = master.toDataType(DataType.FLOAT16)) {
            assertThat(master.dataType()).isEqualTo(DataType.FLOAT32);
            assertThat(half.dataType()).isEqualTo(DataType.FLOAT16);
            assertThat(half.parameters()).extracting(Parameter::name)
                    .containsExactlyElementsOf(master.parameters().stream().map(Parameter::name).toList());
            assertThat(half.parameters()).allSatisfy(p -> assertThat(p.array().getDataType()).isEqualTo(DataType.FLOAT16));

            NDArray input = ids(3, 2, 12);
            NDArray labels = input.duplicate();
            float[] loss = new float[2];
            CausalLM[] both = {master, half};
            for (int i = 0; i < 2; i++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = both[i].forward(input);
                    assertThat(logits.getDataType()).isEqualTo(both[i].dataType());
                    NDArray l = LanguageModelingLoss.crossEntropy(logits, labels);
                    assertThat(l.getDataType()).isEqualTo(DataType.FLOAT32);
                    gc.backward(l);
                    loss[i] = l.getFloat();
                }
            }
            assertThat(Math.abs(loss[0] - loss[1])).as("loss %s vs %s", loss[0], loss[1]).isLessThan(5e-3f);
            double diff = 0;
            double norm = 0;
            for (Parameter p : master.parameters()) {
                float[] g32 = p.array().getGradient().toFloatArray();
                NDArray g16 = half.parameter(p.name()).array().getGradient();
                assertThat(g16.getDataType()).isEqualTo(DataType.FLOAT16);
                float[] g = g16.toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < g.length; i++) {
                    diff += (g[i] - g32[i]) * (double) (g[i] - g32[i]);
                    norm += g32[i] * (double) g32[i];
                }
            }
            assertThat(Math.sqrt(norm)).isGreaterThan(1e-3);
            assertThat(Math.sqrt(diff / norm)).as("relative gradient error").isLessThan(0.02);
        }
    }

    @Test
    void theWorkingCopyFollowsItsMastersAndSavesAsFloat32() {
        try (CausalLM master = CausalLM.create(ModelConfig.fromMap(TinyModels.llama()), 1, Device.cpu());
             CausalLM half = master.toDataType(DataType.FLOAT16)) {
            Parameter p = master.parameter("model.layers.0.mlp.up_proj.weight");
            p.array().addi(0.5f);
            // even an overflowed value in the copy is overwritten, not multiplied into NaN
            half.parameter(p.name()).array().muli(Float.POSITIVE_INFINITY);
            half.copyParametersFrom(master);
            float[] want = p.array().toFloatArray();
            float[] got = half.parameter(p.name()).array().toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat(Math.abs(got[i] - want[i])).isLessThanOrEqualTo(Math.abs(want[i]) * 1e-3f);
            }
            half.save(tmp.resolve("half"));
            try (CausalLM reloaded = CausalLM.load(tmp.resolve("half"), Device.cpu())) {
                assertThat(reloaded.dataType()).isEqualTo(DataType.FLOAT32);
                assertThat(reloaded.parameter(p.name()).array().toFloatArray()).containsExactly(got);
            }
            try (CausalLM other = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 1, Device.cpu())) {
                assertThatThrownBy(() -> half.copyParametersFrom(other)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("different model");
            }
            assertThatThrownBy(() -> master.toDataType(DataType.FLOAT64)).hasMessageContaining("FLOAT32 or FLOAT16");
        }
    }

    @Test
    void rmsNormInFloat16SurvivesActivationsWhoseSquareOverflows() {
        float[] v = new float[64];
        Random r = new Random(5);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 2000); // x^2 ~ 4e6 > 65504, float16's largest value
        }
        NDArray x32 = manager.create(v, new Shape(2, 32));
        NDArray w32 = manager.randomNormal(new Shape(32));
        NDArray x16 = x32.toType(DataType.FLOAT16, false);
        NDArray w16 = w32.toType(DataType.FLOAT16, false);
        assertThat(x16.square().max().toType(DataType.FLOAT32, false).getFloat()).as("the naive form overflows")
                .isInfinite();
        float[] want = AbstractCausalLM.rmsNorm(x32, w32, 1e-6).toFloatArray();
        float[] got = AbstractCausalLM.rmsNorm(x16, w16, 1e-6).toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(got[i] - want[i])).as("element %d", i).isLessThan(0.01f + Math.abs(want[i]) * 0.005f);
        }
    }

    @Test
    void geluNewHasFiniteGradientsInFloat16AndUnchangedValuesInFloat32() {
        float[] v = {-300f, -45f, -10f, -3f, -0.5f, 0f, 0.7f, 2f, 9f, 12f, 45f, 300f};
        float[] want = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            want[i] = (float) (0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
        }
        float[] got32 = AbstractCausalLM.activation("gelu_new", manager.create(v)).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(Math.abs(got32[i] - want[i])).as("x = %s", v[i]).isLessThan(1e-5f + Math.abs(want[i]) * 1e-6f);
        }
        NDArray x16 = manager.create(v).toType(DataType.FLOAT16, false);
        x16.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(AbstractCausalLM.activation("gelu_new", x16).sum());
        }
        float[] grad = x16.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(grad[i]).as("d gelu / dx at %s", v[i]).isFinite();
        }
        assertThat(grad[v.length - 1]).isEqualTo(1f);
        assertThat(grad[0]).isEqualTo(0f);
    }
}
