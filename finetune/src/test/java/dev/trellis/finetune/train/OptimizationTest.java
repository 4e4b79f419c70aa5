package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.Parameter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizers, weight decay, gradient clipping and schedules against hand-computed references. */
class OptimizationTest {

    @TempDir
    Path tmp;

    @Test
    void weightDecaySkipsNormsAndBiases() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (OptimizerType type : OptimizerType.values()) {
                Parameter w = new Parameter("layer.weight", m.create(new float[] {1f, -2f, 3f, 4f}, new Shape(2, 2)), Parameter.Kind.WEIGHT);
                Parameter b = new Parameter("layer.bias", m.create(new float[] {1f, -2f}), Parameter.Kind.BIAS);
                Parameter n = new Parameter("norm.weight", m.create(new float[] {1f, 1f}), Parameter.Kind.NORM);
                TrainingArguments args = TrainingArguments.builder().outputDir(tmp).optim(type).weightDecay(0.5).build();
                try (Optimizer opt = Optimizer.create(args, List.of(w, b, n))) {
                    // zero gradients: whatever changes is weight decay alone
                    opt.step(0.1, List.of(m.zeros(new Shape(2, 2)), m.zeros(new Shape(2)), m.zeros(new Shape(2))));
                }
                assertThat(w.array().toFloatArray()).as(type.toString())
                        .containsExactly(new float[] {0.95f, -1.9f, 2.85f, 3.8f}, within(1e-6f));
                assertThat(b.array().toFloatArray()).as(type.toString()).containsExactly(1f, -2f);
                assertThat(n.array().toFloatArray()).as(type.toString()).containsExactly(1f, 1f);
            }
        }
    }

    @Test
    void adamWMatchesTheTorchFormulaOverSeveralSteps() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] p0 = {0.5f, -1f, 2f};
            float[][] grads = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.1f}, {-0.3f, 0.1f, 0.2f}};
            Parameter p = new Parameter("w", m.create(p0.clone()), Parameter.Kind.WEIGHT);
            double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
            double[] ref = {p0[0], p0[1], p0[2]};
            double[] mm = new double[3], vv = new double[3];
            try (Optimizer opt = new AdamW(List.of(p), wd, b1, b2, eps)) {
                for (int t = 1; t <= 3; t++) {
                    opt.step(lr, List.of(m.create(grads[t - 1])));
                    for (int i = 0; i < 3; i++) {
                        double g = grads[t - 1][i];
                        ref[i] *= 1 - lr * wd;
                        mm[i] = b1 * mm[i] + (1 - b1) * g;
                        vv[i] = b2 * vv[i] + (1 - b2) * g * g;
                        double mh = mm[i] / (1 - Math.pow(b1, t));
                        double vh = vv[i] / (1 - Math.pow(b2, t));
                        ref[i] -= lr * mh / (Math.sqrt(vh) + eps);
                    }
                }
                // state survives a save and load bit for bit
                opt.save(tmp.resolve("opt.bin"));
                try (Optimizer again = new AdamW(List.of(p), wd, b1, b2, eps)) {
                    again.load(tmp.resolve("opt.bin"));
                    assertThat(again.stepCount()).isEqualTo(3);
                    assertThat(again.stateOf("w").get(1).toFloatArray()).containsExactly(opt.stateOf("w").get(1).toFloatArray());
                }
            }
            float[] got = p.array().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat((double) got[i]).isCloseTo(ref[i], within(1e-6));
            }
        }
    }

    @Test
    void adafactorFactorsMatricesAndClipsItsUpdate() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Parameter w = new Parameter("w", m.create(new float[] {1f, 1f, 1f, 1f, 1f, 1f}, new Shape(2, 3)), Parameter.Kind.WEIGHT);
            try (Optimizer opt = new Adafactor(List.of(w), 0)) {
                assertThat(opt.stateOf("w")).extracting(NDArray::getShape).containsExactly(new Shape(2), new Shape(3));
                opt.step(0.1, List.of(m.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new Shape(2, 3))));
            }
            // step 1: beta2t = 0, so the factored estimate is (row mean x col mean / mean) of g^2;
            // the update is g / sqrt(estimate), scaled to RMS 1, times lr.
            double[] g = {1, 2, 3, 4, 5, 6};
            double[] row = {(1 + 4 + 9) / 3.0, (16 + 25 + 36) / 3.0};
            double[] col = {(1 + 16) / 2.0, (4 + 25) / 2.0, (9 + 36) / 2.0};
            double rowMean = (row[0] + row[1]) / 2;
            double[] u = new double[6];
            double ss = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    u[i * 3 + j] = g[i * 3 + j] / Math.sqrt(row[i] / rowMean * col[j]);
                    ss += u[i * 3 + j] * u[i * 3 + j];
                }
            }
            double rms = Math.sqrt(ss / 6);
            float[] got = w.array().toFloatArray();
            for (int k = 0; k < 6; k++) {
                assertThat((double) got[k]).isCloseTo(1 - 0.1 * u[k] / Math.max(1, rms), within(1e-6));
            }
        }
    }

    @Test
    void clippingScalesAllGradientsByTheGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[] {3f, 0f});
            NDArray b = m.create(new float[] {0f, 4f, 12f}); // global norm sqrt(9 + 16 + 144) = 13
            double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0);
            assertThat(norm).isCloseTo(13.0, within(1e-6));
            assertThat(GradientClipping.globalNorm(List.of(a, b))).isCloseTo(1.0, within(1e-5));
            // the direction is kept: unlike element-wise clamping, 12 stays three times 4
            float[] bb = b.toFloatArray();
            assertThat(bb[2] / bb[1]).isCloseTo(3f, within(1e-5f));
            assertThat(a.toFloatArray()[0]).isCloseTo(3f / 13f, within(1e-6f));
            // below the limit nothing changes
            NDArray c = m.create(new float[] {0.3f, 0.4f});
            assertThat(GradientClipping.clipGlobalNorm(List.of(c), 1.0)).isCloseTo(0.5, within(1e-6));
            assertThat(c.toFloatArray()).containsExactly(0.3f, 0.4f);
        }
    }

    @Test
    void schedulesFollowTransformers() {
        LearningRateSchedule linear = new LearningRateSchedule(SchedulerType.LINEAR, 1.0, 10, 110);
        assertThat(linear.learningRate(0)).isZero();
        assertThat(linear.learningRate(5)).isCloseTo(0.5, within(1e-12));
        assertThat(linear.learningRate(10)).isCloseTo(1.0, within(1e-12));
        assertThat(linear.learningRate(60)).isCloseTo(0.5, within(1e-12));
        assertThat(linear.learningRate(110)).isZero();
        LearningRateSchedule cosine = new LearningRateSchedule(SchedulerType.COSINE, 2.0, 0, 100);
        assertThat(cosine.learningRate(0)).isCloseTo(2.0, within(1e-12));
        assertThat(cosine.learningRate(50)).isCloseTo(1.0, within(1e-12));
        assertThat(cosine.learningRate(25)).isCloseTo(1.0 + Math.cos(Math.PI / 4), within(1e-12));
        assertThat(cosine.learningRate(100)).isCloseTo(0.0, within(1e-12));
        LearningRateSchedule constant = new LearningRateSchedule(SchedulerType.CONSTANT, 3.0, 4, 100);
        assertThat(constant.learningRate(2)).isCloseTo(1.5, within(1e-12));
        assertThat(constant.learningRate(99)).isEqualTo(3.0);
    }
}
