package dev.trellis.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.finetune.train.TrainOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: built-in base, BPE tokenizer trained on the data, real DJL training, generation, evaluation. */
class ModelRunnerTest {

    private static final String[] ITEMS = {"Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel",
        "Ivy", "Juniper", "Larch", "Maple", "Oak", "Pine", "Rowan", "Spruce", "Teak", "Willow", "Yew", "Aspen"};

    /** Colour questions are answered "blue", pocket questions "four": learnable in a few dozen steps. */
    static Path data(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String item : ITEMS) {
            lines.add("{\"q\":\"What colour is the " + item + " jacket?\",\"a\":\"blue\"}");
            lines.add("{\"q\":\"How many pockets does the " + item + " vest have?\",\"a\":\"four\"}");
        }
        Path file = dir.resolve("qa.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void threeLinesTrainEvaluateAndGenerate(@TempDir Path dir) throws Exception {
        try (ModelRunner runner = ModelRunner.builder().baseModel("trellis-micro").runDir(dir.resolve("run"))
                .testSize(0.2).maxNewTokens(6)
                .trainingArguments(a -> a.maxSteps(60).learningRate(3e-3).warmupSteps(5).perDeviceTrainBatchSize(8))
                .build()) {
            runner.loadDataFromJsonLines(data(dir), "q", "a");
            assertThat(runner.data().test().size()).isEqualTo(8);
            TrainOutput out = runner.train();
            assertThat(out.globalStep()).isEqualTo(60);
            assertThat(dir.resolve("run/base/config.json")).isRegularFile();
            assertThat(dir.resolve("run/base/tokenizer.json")).isRegularFile();
            assertThat(out.outputDir().resolve("model.safetensors")).isRegularFile();

            ModelComparison c = runner.evaluate();
            assertThat(c.base().size()).isEqualTo(8);
            assertThat(c.finetuned().exactMatch()).isGreaterThanOrEqualTo(0.75);
            assertThat(c.finetuned().exactMatch()).isGreaterThan(c.base().exactMatch());
            assertThat(c.finetuned().rougeL()).isGreaterThan(c.base().rougeL());
            assertThat(out.outputDir().resolve("eval.jsonl")).isRegularFile();
            assertThat(out.outputDir().resolve("eval.md")).isRegularFile();
            assertThat(out.outputDir().resolve("eval.html")).isRegularFile();

            assertThat(runner.generate("What colour is the Poplar jacket?")).isEqualTo("blue");
        }
    }

    @Test
    void misuseIsExplained(@TempDir Path dir) {
        assertThatThrownBy(() -> new ModelRunner("no-such-model")).hasMessageContaining("trellis-tiny");
        try (ModelRunner runner = ModelRunner.builder().baseModel("trellis-micro").runDir(dir).build()) {
            assertThatThrownBy(runner::train).hasMessageContaining("loadDataFromJsonLines");
            assertThatThrownBy(runner::evaluate).hasMessageContaining("loadDataFromJsonLines");
            assertThatThrownBy(() -> runner.generate("hi")).hasMessageContaining("train()");
        }
    }
}
