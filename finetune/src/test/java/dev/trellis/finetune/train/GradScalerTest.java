package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loss scaler's rules (torch.cuda.amp.GradScaler's) and the fp16-by-device rule, without any arrays. */
class GradScalerTest {

    @Test
    void startsAtTwoToTheSixteenthLikeTorch() {
        GradScaler s = new GradScaler();
        assertThat(s.scale()).isEqualTo(65536.0);
        assertThat(s.growthInterval()).isEqualTo(2000);
        assertThat(s.growthTracker()).isZero();
    }

    @Test
    void anOverflowSkipsTheStepHalvesTheScaleAndRestartsTheGrowthCount() {
        GradScaler s = new GradScaler(1024, 2.0, 0.5, 3);
        assertThat(s.update(true)).isTrue();
        assertThat(s.update(true)).isTrue();
        assertThat(s.growthTracker()).isEqualTo(2);
        assertThat(s.update(false)).as("overflow: skip the optimizer step").isFalse();
        assertThat(s.scale()).isEqualTo(512.0);
        assertThat(s.growthTracker()).isZero();
        assertThat(s.skippedSteps()).isEqualTo(1);
        assertThat(s.update(false)).isFalse();
        assertThat(s.scale()).isEqualTo(256.0);
        assertThat(s.skippedSteps()).isEqualTo(2);
    }

    @Test
    void growsAfterEveryIntervalOfGoodStepsInARow() {
        GradScaler s = new GradScaler(1024, 2.0, 0.5, 3);
        for (int i = 0; i < 2; i++) {
            s.update(true);
        }
        assertThat(s.scale()).isEqualTo(1024.0);
        s.update(true);
        assertThat(s.scale()).as("3rd good step in a row").isEqualTo(2048.0);
        assertThat(s.growthTracker()).isZero();
        s.update(true);
        s.update(true);
        s.update(false); // interrupts the next window
        s.update(true);
        s.update(true);
        assertThat(s.scale()).isEqualTo(1024.0);
        s.update(true);
        assertThat(s.scale()).isEqualTo(2048.0);
    }

    @Test
    void stateRoundTripsWithTorchKeyNames() {
        GradScaler s = new GradScaler(4096, 2.0, 0.5, 5);
        s.update(false);
        s.update(true);
        s.update(true);
        Map<String, Object> state = s.stateDict();
        assertThat(state).containsEntry("scale", 2048.0).containsEntry("_growth_tracker", 2)
                .containsEntry("growth_interval", 5).containsEntry("skipped_steps", 1L);
        GradScaler restored = new GradScaler(4096, 2.0, 0.5, 5);
        restored.loadStateDict(state);
        assertThat(restored.stateDict()).isEqualTo(state);
        assertThatThrownBy(() -> restored.loadStateDict(Map.of("scale", -1.0, "_growth_tracker", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive finite 'scale'");
    }

    @Test
    void refusesMeaninglessSettings() {
        assertThatThrownBy(() -> new GradScaler(0, 2, 0.5, 10)).hasMessageContaining("initScale");
        assertThatThrownBy(() -> new GradScaler(Double.NaN, 2, 0.5, 10)).hasMessageContaining("initScale");
        assertThatThrownBy(() -> new GradScaler(1, 1, 0.5, 10)).hasMessageContaining("growthFactor");
        assertThatThrownBy(() -> new GradScaler(1, 2, 1, 10)).hasMessageContaining("backoffFactor");
        assertThatThrownBy(() -> new GradScaler(1, 2, 0.5, 0)).hasMessageContaining("growthInterval");
        TrainingArguments.Builder b = TrainingArguments.builder().outputDir(Path.of("out"));
        assertThatThrownBy(() -> b.fp16InitScale(Double.POSITIVE_INFINITY).build())
                .isInstanceOf(TrainingConfigException.class).hasMessageContaining("fp16InitScale");
        assertThatThrownBy(() -> b.fp16InitScale(1024).fp16GrowthInterval(0).build())
                .isInstanceOf(TrainingConfigException.class).hasMessageContaining("fp16GrowthInterval");
    }

    @Test
    void fp16DefaultsOnForAGpuAndOffForTheCpuUnlessSet() {
        assertThat(TrainingArguments.resolveFp16(null, Device.gpu())).isTrue();
        assertThat(TrainingArguments.resolveFp16(null, Device.gpu(1))).isTrue();
        assertThat(TrainingArguments.resolveFp16(null, Device.cpu())).isFalse();
        assertThat(TrainingArguments.resolveFp16(true, Device.cpu())).isTrue();
        assertThat(TrainingArguments.resolveFp16(false, Device.gpu())).isFalse();
        TrainingArguments auto = TrainingArguments.builder().outputDir(Path.of("out")).build();
        assertThat(auto.fp16()).isNull();
        assertThat(auto.fp16(Device.gpu())).isTrue();
        assertThat(auto.fp16(Device.cpu())).isFalse();
        assertThat(auto.toMap()).containsEntry("fp16", "auto");
        assertThat(auto.toBuilder().fp16(true).build().fp16(Device.cpu())).isTrue();
    }
}
