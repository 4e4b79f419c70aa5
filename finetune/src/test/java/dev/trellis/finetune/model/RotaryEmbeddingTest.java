package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rotary embeddings: relative positions, the rotate-half convention, linear scaling, activations. */
class RotaryEmbeddingTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray randomHead(long seed, int dim) {
        Random r = new Random(seed);
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return manager.create(v, new Shape(1, 1, 1, dim));
    }

    private float score(RotaryEmbedding rope, NDArray q, NDArray k, long qPos, long kPos) {
        NDArray[] cq = rope.cosSin(new long[] {qPos}, 1, 1, manager);
        NDArray[] ck = rope.cosSin(new long[] {kPos}, 1, 1, manager);
        NDArray rq = RotaryEmbedding.apply(q, cq[0], cq[1]);
        NDArray rk = RotaryEmbedding.apply(k, ck[0], ck[1]);
        return rq.mul(rk).sum().getFloat();
    }

    @Test
    void attentionScoresDependOnlyOnRelativePosition() {
        RotaryEmbedding rope = new RotaryEmbedding(16, 10000, null);
        NDArray q = randomHead(1, 16);
        NDArray k = randomHead(2, 16);
        float at3and1 = score(rope, q, k, 3, 1);
        assertThat(score(rope, q, k, 10, 8)).isCloseTo(at3and1, within(1e-4f));
        assertThat(score(rope, q, k, 42, 40)).isCloseTo(at3and1, within(1e-4f));
        assertThat(score(rope, q, k, 7, 7)).isCloseTo(score(rope, q, k, 0, 0), within(1e-4f));
        // ... and do depend on it.
        assertThat(Math.abs(score(rope, q, k, 10, 5) - at3and1)).isGreaterThan(1e-3f);
    }

    @Test
    void rotatesFirstAndSecondHalvesTogetherNotNeighbours() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 10000, null);
        // x = e0: with rotate_half, feature 0 pairs with feature 2 (dim/2 away), at frequency 0.
        NDArray x = manager.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 1, 4));
        NDArray[] cs = rope.cosSin(new long[] {1}, 1, 1, manager);
        float[] out = RotaryEmbedding.apply(x, cs[0], cs[1]).toFloatArray();
        assertThat(out[0]).isCloseTo((float) Math.cos(1), within(1e-6f));
        assertThat(out[1]).isZero();
        assertThat(out[2]).isCloseTo((float) Math.sin(1), within(1e-6f));
        assertThat(out[3]).isZero();
    }

    @Test
    void linearScalingDividesPositionsByTheFactor() {
        RotaryEmbedding plain = new RotaryEmbedding(8, 10000, null);
        RotaryEmbedding scaled = new RotaryEmbedding(8, 10000, RopeScaling.linear(4));
        NDArray[] a = scaled.cosSin(new long[] {0, 4, 8, 40}, 1, 4, manager);
        NDArray[] b = plain.cosSin(new long[] {0, 1, 2, 10}, 1, 4, manager);
        assertThat(a[0].sub(b[0]).abs().max().getFloat()).isLessThan(1e-6f);
        assertThat(a[1].sub(b[1]).abs().max().getFloat()).isLessThan(1e-6f);
    }

    @Test
    void ropeScalingIsReadFromAndWrittenToConfigJson() {
        Map<String, Object> cfg = new LinkedHashMap<>(TinyModels.llama());
        cfg.put("rope_scaling", Map.of("type", "linear", "factor", 2.0));
        Llama.Config c = (Llama.Config) ModelConfig.fromMap(cfg);
        assertThat(c.ropeScaling()).isEqualTo(RopeScaling.linear(2));
        assertThat(c.toJson().get("rope_scaling").get("factor").asDouble()).isEqualTo(2.0);
        assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
        cfg.put("rope_scaling", Map.of("type", "yarn", "factor", 2.0));
        assertThatThrownBy(() -> ModelConfig.fromMap(cfg)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'yarn' is not supported");
        // A model with factor 2 sees position 2p exactly as the plain model sees p.
        cfg.put("rope_scaling", Map.of("type", "linear", "factor", 2.0));
        try (CausalLM plain = CausalLM.create(ModelConfig.fromMap(TinyModels.llama()), 1, Device.cpu());
             CausalLM scaled = CausalLM.create(ModelConfig.fromMap(cfg), 1, Device.cpu())) {
            NDArray ids = manager.create(new long[] {5, 6}, new Shape(1, 2));
            NDArray logitsPlain = plain.forward(ids);
            assertThat(scaled.forward(ids).sub(logitsPlain).abs().max().getFloat()).isGreaterThan(1e-5f);
        }
    }

    @Test
    void geluIsExactAndGeluNewIsTheTanhApproximation() {
        float[] xs = {-3f, -1f, -0.5f, 0f, 0.3f, 1f, 2.5f};
        NDArray x = manager.create(xs);
        float[] exact = AbstractCausalLM.activation("gelu", x).toFloatArray();
        float[] tanh = AbstractCausalLM.activation("gelu_new", x).toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double erf = 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            double approx = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertThat((double) exact[i]).isCloseTo(erf, within(1e-6));
            assertThat((double) tanh[i]).isCloseTo(approx, within(1e-6));
        }
        assertThat(Math.abs(exact[0] - tanh[0])).isGreaterThan(1e-5f); // they differ, so the choice matters
    }

    /** erf by its series (converges fast for |x| < 3). */
    private static double erf(double x) {
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
