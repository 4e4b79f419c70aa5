package dev.trellis.finetune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.finetune.train.TrainerState;
import dev.trellis.finetune.train.TrainingArguments;
import dev.trellis.finetune.train.TrainingConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Pretrainer.Builder micro(Path out, int steps) {
        return Pretrainer.builder().outputDir(out).shape(BaseShape.MICRO).maxSteps(steps).batchSize(2).maxLength(256)
                .tokenizerDocuments(300).heldOutBatches(1).saveSteps(2).loggingSteps(1).disableProgressBar(true).command("test");
    }

    private static List<Double> losses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("train").resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.has("loss")) {
                out.add(n.get("loss").asDouble());
            }
        }
        return out;
    }

    @Test
    void twoRunsOfTheSameSeedReproduceTheFirstStepsLossesExactly(@TempDir Path tmp) throws IOException {
        micro(tmp.resolve("a"), 4).build().run();
        micro(tmp.resolve("b"), 4).build().run();
        assertThat(losses(tmp.resolve("a"))).isNotEmpty().isEqualTo(losses(tmp.resolve("b")));
    }

    @Test
    void writesAFloat16BaseWithItsProvenance(@TempDir Path tmp) {
        Pretrainer.Result r = micro(tmp.resolve("run"), 4).build().run();
        TrellisManifest m = TrellisManifest.read(r.model());
        assertThat(m.training()).containsEntry("kind", "pretraining").containsEntry("steps", 4)
.containsEntry("dtype", "float16")
                .containsEntry("corpus_sha256", r.corpusSha256()).containsKeys("command", "seed", "wall_seconds",
                        "final_train_loss", "final_held_out_loss");
        assertThat(r.model().resolve("loss.png")).isRegularFile();
        try (CausalLM model = CausalLM.load(r.model())) {
            assertThat(((Number) m.training().get("parameters")).longValue()).isEqualTo(model.numParameters());
        }
    }

    @Test
    void resumesAStoppedRunFromItsLatestCheckpoint(@TempDir Path tmp) throws IOException {
        Path straight = tmp.resolve("straight");
        micro(straight, 6).build().run();
        Path stopped = tmp.resolve("stopped");
        // stopped after step 3, as a kill would: the latest checkpoint is step 2's
        micro(stopped, 6).callback(new TrainerCallback() {
            @Override
            public void onStepEnd(TrainingArguments args, TrainerState state) {
                if (state.globalStep() == 3) {
                    state.requestStop();
                }
            }
        }).build().run();
        assertThat(stopped.resolve("train").resolve("checkpoint-2")).isDirectory();
        assertThat(losses(stopped)).hasSizeLessThan(6);
        micro(stopped, 6).resume(true).build().run();
        List<Double> resumed = losses(stopped);
        assertThat(resumed.get(resumed.size() - 1)).isCloseTo(losses(straight).get(5), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void continuesABaseFromItsWeightsAndTokenizerAndNestsItsProvenance(@TempDir Path tmp) throws IOException {
        Pretrainer.Result parent = micro(tmp.resolve("parent"), 6).build().run();
        Pretrainer.Result child = micro(tmp.resolve("child"), 4).seed(99).initFrom(parent.model()).build().run();
        Pretrainer.Result fresh = micro(tmp.resolve("fresh"), 4).seed(99).build().run();
        assertThat(tmp.resolve("child/tokenizer/tokenizer.json")).hasSameTextualContentAs(parent.model().resolve("tokenizer.json"));
        // the same documents (seed 99): the continued base starts where its parent left off, below a random one
        assertThat(losses(tmp.resolve("child")).get(0)).isLessThan(losses(tmp.resolve("fresh")).get(0));
        java.util.Map<String, Object> p = TrellisManifest.read(child.model()).training();
        assertThat(p).containsEntry("steps", 4).containsKey("init_from");
        assertThat(((Number) p.get("total_steps")).intValue()).isEqualTo(10);
        assertThat(((java.util.Map<?, ?>) p.get("init_from")).get("corpus_sha256")).isEqualTo(parent.corpusSha256());
        assertThat(p.get("command").toString()).isEqualTo("test");
        assertThat(fresh.model()).isDirectory();
    }

    @Test
    void refusesToContinueSomethingItDidNotMake(@TempDir Path tmp) throws IOException {
        Path other = Files.createDirectories(tmp.resolve("downloaded"));
        Files.writeString(other.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Files.writeString(other.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> micro(tmp.resolve("c"), 2).initFrom(other).build()).isInstanceOf(TrainingConfigException.class)
                .hasMessageContaining("--init-from").hasMessageContaining("downloaded");
        assertThatThrownBy(() -> micro(tmp.resolve("c"), 2).initFrom(tmp.resolve("nowhere")).build())
                .hasMessageContaining("--init-from").hasMessageContaining("nowhere");
        assertThat(tmp.resolve("c")).doesNotExist();
    }

    @Test
    void refusesAnOutputHoldingAnotherModelOrABadBudget(@TempDir Path tmp) throws IOException {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("config.json"), "{}");
        assertThatThrownBy(() -> micro(other, 2).build().run()).isInstanceOf(TrainingConfigException.class)
                .hasMessageContaining("another model").hasMessageContaining("--output").hasMessageContaining("--overwrite");
        assertThatThrownBy(() -> Pretrainer.builder().outputDir(tmp.resolve("x")).timeLimit(Duration.ZERO).build())
                .hasMessageContaining("--time-limit");
        assertThatThrownBy(() -> Pretrainer.builder().outputDir(tmp.resolve("x")).build()).hasMessageContaining("--time-limit");
        assertThatThrownBy(() -> micro(tmp.resolve("y"), 2).maxLength(8).build()).hasMessageContaining("--max-length");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
