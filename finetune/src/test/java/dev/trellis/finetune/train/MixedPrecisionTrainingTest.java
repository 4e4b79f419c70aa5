package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 mixed-precision training, run on the CPU with {@code fp16(true)} (PyTorch's CPU float16
 * kernels): the same code path a GPU takes by default. No GPU was available where these were
 * written; on a GPU only the device differs.
 */
class MixedPrecisionTrainingTest {

    @TempDir
    Path tmp;

    private TrainingArguments.Builder base(String dir) {
        return TrainingArguments.builder().outputDir(tmp.resolve(dir)).learningRate(1e-2).perDeviceTrainBatchSize(4)
                .loggingSteps(1).saveStrategy(IntervalStrategy.NO).seed(7).disableTqdm(true).fp16(true);
    }

    @Test
    void lossFallsInFp16WhileTheMastersStayFloat32() {
        TokenizedDataset data = ToyData.dataset(32, 1);
        try (CausalLM model = ToyData.model(1)) {
            Trainer trainer = Trainer.builder().model(model).trainDataset(data)
                    .args(base("fp16").numTrainEpochs(3).warmupSteps(2).weightDecay(0.01).build()).build();
            assertThat(trainer.fp16()).isTrue();
            TrainOutput out = trainer.train();
            assertThat(model.dataType()).isEqualTo(DataType.FLOAT32);
            assertThat(model.parameters()).allSatisfy(p -> assertThat(p.array().getDataType()).isEqualTo(DataType.FLOAT32));
            List<Map<String, Object>> log = MetricsLog.read(out.outputDir().resolve(MetricsLog.FILE));
            assertThat(log).hasSize(24).allSatisfy(e -> assertThat(e).containsKeys("loss_scale", "skipped_steps"));
            double first = TrainerTest.losses(out.outputDir()).subList(0, 3).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = TrainerTest.losses(out.outputDir()).subList(21, 24).stream().mapToDouble(d -> d).average().orElseThrow();
            assertThat(last).as("loss %s -> %s", first, last).isLessThan(first * 0.75);
            assertThat(TrellisManifest.read(out.outputDir()).training()).containsEntry("mixed_precision", "fp16");
            // the saved model is the float32 masters, bit for bit
            try (CausalLM reloaded = CausalLM.load(out.outputDir(), model.device())) {
                assertThat(ToyData.maxAbsDiff(ToyData.weights(model), ToyData.weights(reloaded))).isZero();
            }
        }
    }

    @Test
    void fp16FollowsFloat32Closely() {
        TokenizedDataset data = ToyData.dataset(16, 3);
        Map<String, float[]> w16;
        Map<String, float[]> w32;
        Map<String, float[]> w0;
        try (CausalLM model = ToyData.model(5)) {
            w0 = ToyData.weights(model);
            Trainer.builder().model(model).trainDataset(data).args(base("a").maxSteps(4).build()).build().train();
            w16 = ToyData.weights(model);
        }
        try (CausalLM model = ToyData.model(5)) {
            Trainer t = Trainer.builder().model(model).trainDataset(data).args(base("b").fp16(null).maxSteps(4).build()).build();
            assertThat(t.fp16()).as("default on the CPU: float32").isFalse();
            t.train();
            w32 = ToyData.weights(model);
        }
        List<Double> l16 = TrainerTest.losses(tmp.resolve("a"));
        List<Double> l32 = TrainerTest.losses(tmp.resolve("b"));
        for (int i = 0; i < l16.size(); i++) {
            assertThat(Math.abs(l16.get(i) - l32.get(i))).as("step %d: %s vs %s", i + 1, l16.get(i), l32.get(i))
                    .isLessThan(0.01);
        }
        // Adam moves a weight by about lr per step whatever its gradient's size, so where a tiny gradient's sign
        // differs by float16 rounding single weights may differ by a few lr; the update as a whole must agree.
        assertThat(rms(w16, w32) / rms(w32, w0)).as("relative difference of the fp16 update").isLessThan(0.1);
    }

    @Test
    void anOverflowingStepIsSkippedAndTheScaleBacksOff() {
        TokenizedDataset data = ToyData.dataset(8, 2);
        try (CausalLM model = ToyData.model(3)) {
            Map<String, float[]> before = ToyData.weights(model);
            // 1e30 x the loss: float32 holds it, the float16 gradients overflow to inf
            Trainer trainer = Trainer.builder().model(model).trainDataset(data)
                    .args(base("overflow").fp16InitScale(1e30).maxSteps(1).build()).build();
            trainer.train();
            assertThat(ToyData.maxAbsDiff(before, ToyData.weights(model))).as("update skipped").isZero();
            assertThat(trainer.gradScaler().scale()).isEqualTo(5e29);
            assertThat(trainer.gradScaler().skippedSteps()).isEqualTo(1);
            Map<String, Object> entry = MetricsLog.read(tmp.resolve("overflow").resolve(MetricsLog.FILE)).get(0);
            assertThat(String.valueOf(entry.get("grad_norm"))).as("logged as JSON can: a string").isIn("NaN", "Infinity");
            assertThat(((Number) entry.get("loss_scale")).doubleValue()).isEqualTo(5e29);
        }
    }

    @Test
    void resumingRestoresTheLossScaleAndReproducesTheRun() throws IOException {
        TokenizedDataset data = ToyData.dataset(24, 2);
        // a scale high enough to overflow at first, and a short growth interval, so the scale moves both ways
        TrainingArguments.Builder args = base("x").maxSteps(8).perDeviceTrainBatchSize(2).gradientAccumulationSteps(2)
                .saveStrategy(IntervalStrategy.STEPS).saveSteps(3).fp16InitScale(Math.pow(2, 18)).fp16GrowthInterval(2);
        Map<String, float[]> straight;
        Trainer straightRun;
        try (CausalLM model = ToyData.model(9)) {
            straightRun = Trainer.builder().model(model).trainDataset(data).args(args.outputDir(tmp.resolve("straight")).build())
                    .build();
            straightRun.train();
            straight = ToyData.weights(model);
        }
        List<Map<String, Object>> log = MetricsLog.read(tmp.resolve("straight").resolve(MetricsLog.FILE));
        assertThat(((Number) log.get(log.size() - 1).get("skipped_steps")).intValue()).as("some steps overflowed, most did not")
                .isBetween(1, 6);
        Path out = tmp.resolve("crashed");
        try (CausalLM model = ToyData.model(9)) {
            Trainer crashing = Trainer.builder().model(model).trainDataset(data).args(args.outputDir(out).build())
                    .callback(new TrainerCallback() {
                        @Override
                        public void onStepEnd(TrainingArguments a, TrainerState s) {
                            if (s.globalStep() == 5) {
                                throw new IllegalStateException("simulated crash");
                            }
                        }
                    }).build();
            assertThatThrownBy(crashing::train).hasMessage("simulated crash");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) new ObjectMapper()
                .readValue(out.resolve("checkpoint-3").resolve(Trainer.TRAINER_STATE).toFile(), Map.class).get("grad_scaler");
        assertThat(((Number) saved.get("scale")).doubleValue()).isEqualTo(((Number) log.get(2).get("loss_scale")).doubleValue());
        Map<String, float[]> resumed;
        try (CausalLM model = ToyData.model(1234)) {
            Trainer resuming = Trainer.builder().model(model).trainDataset(data)
                    .args(args.outputDir(out).resumeFromCheckpoint("latest").build()).build();
            resuming.train();
            resumed = ToyData.weights(model);
            assertThat(resuming.gradScaler().stateDict()).isEqualTo(straightRun.gradScaler().stateDict());
        }
        // Bit-exact: the tests run PyTorch on one intra-op thread (finetune/pom.xml), so both runs reduce in the same order.
        assertThat(TrainerTest.losses(out)).containsExactlyElementsOf(TrainerTest.losses(tmp.resolve("straight")));
        assertThat(ToyData.maxAbsDiff(straight, resumed)).isZero();
    }

    @Test
    void refusesAFloat16ModelAsTheOneToTrain() {
        try (CausalLM model = ToyData.model(1); CausalLM half = model.toDataType(DataType.FLOAT16)) {
            assertThatThrownBy(() -> Trainer.builder().model(half).trainDataset(ToyData.dataset(8, 1))
                    .args(base("half").maxSteps(1).build()).build())
                    .isInstanceOf(TrainingConfigException.class).hasMessageContaining("float32 model")
                    .hasMessageContaining("fp16(true)");
            assertThat(half.parameters()).extracting(Parameter::name).isNotEmpty();
        }
    }

    private static double rms(Map<String, float[]> a, Map<String, float[]> b) {
        double sum = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                sum += (x[i] - y[i]) * (double) (x[i] - y[i]);
            }
        }
        return Math.sqrt(sum);
    }
}
