package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configurations are refused before the first step, naming the field and what to do. */
class TrainingArgumentsTest {

    @TempDir
    Path tmp;

    static CausalLM model;

    @BeforeAll
    static void createModel() {
        model = ToyData.model(1);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private TrainingArguments.Builder args() {
        return TrainingArguments.builder().outputDir(tmp.resolve("out")).maxSteps(2).perDeviceTrainBatchSize(2);
    }

    private static void refused(Runnable r, String field, String... words) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(TrainingConfigException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(words);
        });
    }

    @Test
    void argumentsAloneAreChecked() {
        refused(() -> args().learningRate(Double.NaN).build(), "learningRate", "NaN");
        refused(() -> args().learningRate(0).build(), "learningRate", "above 0");
        refused(() -> args().maxSteps(0).build(), "maxSteps", "positive");
        refused(() -> args().maxSteps(-1).numTrainEpochs(0).build(), "numTrainEpochs", "zero steps");
        refused(() -> args().perDeviceTrainBatchSize(0).build(), "perDeviceTrainBatchSize", "at least 1");
        refused(() -> args().gradientAccumulationSteps(0).build(), "gradientAccumulationSteps", "at least 1");
        refused(() -> args().warmupSteps(5).build(), "warmupSteps", "maxSteps 2");
        refused(() -> args().maxGradNorm(Double.POSITIVE_INFINITY).build(), "maxGradNorm", "finite");
        refused(() -> args().weightDecay(-0.1).build(), "weightDecay", ">= 0");
        refused(() -> args().outputDir(null).build(), "outputDir", "required");
        refused(() -> args().loadBestModelAtEnd(true).build(), "loadBestModelAtEnd", "evalStrategy");
        refused(() -> args().loadBestModelAtEnd(true).evalStrategy(IntervalStrategy.STEPS).evalSteps(3).saveSteps(4).build(),
                "saveSteps", "multiple of evalSteps 3");
        refused(() -> args().earlyStoppingPatience(2).build(), "earlyStoppingPatience", "evalStrategy");
        refused(() -> args().saveTotalLimit(0).build(), "saveTotalLimit", "at least 1");
        refused(() -> args().groupByLength(true).shuffleTrainData(false).build(), "groupByLength", "shuffleTrainData");
        TrainingArguments ok = args().loadBestModelAtEnd(true).evalStrategy(IntervalStrategy.STEPS).evalSteps(2).saveSteps(4).build();
        assertThat(ok.metricForBestModel()).isEqualTo("eval_loss");
        assertThat(ok.greaterIsBetter()).isFalse();
        assertThat(ok.toMap()).containsEntry("learning_rate", 5e-5).containsEntry("optim", "adamw");
    }

    @Test
    void theDataAndOutputDirectoryAreCheckedBeforeTraining() throws Exception {
        TokenizedDataset three = ToyData.dataset(3, 1);
        refused(() -> Trainer.builder().model(model).trainDataset(three).args(args().perDeviceTrainBatchSize(8).build()).build(),
                "perDeviceTrainBatchSize", "larger than trainDataset (3 sequences)", "at most 3");
        refused(() -> Trainer.builder().model(model).trainDataset(three).args(args().evalStrategy(IntervalStrategy.STEPS).build())
                .build(), "evalDataset", "required");
        TokenizedDataset outOfVocab = new TokenizedDataset(List.of(new TokenizedExample(new int[] {1, 2, 500}, new int[] {1, 2, 500})),
                0, null, List.of());
        refused(() -> Trainer.builder().model(model).trainDataset(outOfVocab).args(args().perDeviceTrainBatchSize(1).build()).build(),
                "trainDataset", "token id 500", "do not match");
        TokenizedDataset allMasked = new TokenizedDataset(List.of(new TokenizedExample(new int[] {1, 2, 3}, new int[] {-100, -100, -100})),
                0, null, List.of());
        refused(() -> Trainer.builder().model(model).trainDataset(allMasked).args(args().perDeviceTrainBatchSize(1).build()).build(),
                "trainDataset", "no labelled token");
        TokenizedDataset tooLong = new TokenizedDataset(List.of(new TokenizedExample(new int[100], new int[100])), 0, null, List.of());
        refused(() -> Trainer.builder().model(model).trainDataset(tooLong).args(args().perDeviceTrainBatchSize(1).build()).build(),
                "trainDataset", "100 tokens", "maxLength(64)");
        refused(() -> Trainer.builder().model(model).trainDataset(three).args(args().resumeFromCheckpoint(tmp.resolve("nope")).build())
                .build(), "resumeFromCheckpoint", "not a complete checkpoint");

        // an output directory holding another model
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("model_type", "gpt2");
        other.put("vocab_size", 64);
        other.put("n_embd", 16);
        other.put("n_layer", 1);
        other.put("n_head", 2);
        other.put("n_positions", 32);
        try (CausalLM gpt2 = CausalLM.create(ModelConfig.fromMap(other), 1, model.device())) {
            gpt2.save(tmp.resolve("out"));
        }
        refused(() -> Trainer.builder().model(model).trainDataset(three).args(args().build()).build(),
                "outputDir", "holds a different model (gpt2", "choose another outputDir");
        // the same model there: refused unless overwriting or resuming
        model.save(tmp.resolve("same"));
        refused(() -> Trainer.builder().model(model).trainDataset(three).args(args().outputDir(tmp.resolve("same")).build()).build(),
                "outputDir", "already holds", "overwriteOutputDir(true)");
        Trainer.builder().model(model).trainDataset(three).args(args().outputDir(tmp.resolve("same")).overwriteOutputDir(true).build())
                .build();
        assertThat(Files.exists(tmp.resolve("same/config.json"))).isTrue();
    }
}
