package dev.trellis.finetune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.train.IntervalStrategy;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.TrainingArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base shipped in the jar is the one its provenance describes. */
class ShippedBaseTest {

    @Test
    void theShippedBaseMatchesItsProvenance(@TempDir Path tmp) throws IOException {
        assertThat(ShippedBase.available()).as("the finetune jar carries trellis-base").isTrue();
        Path dir = ShippedBase.directory();
        assertThat(Files.size(dir.resolve("model.safetensors"))).isLessThanOrEqualTo(40L * 1024 * 1024);
        Map<String, Object> p = TrellisManifest.read(dir).training();
        assertThat(p).containsEntry("kind", "pretraining").containsEntry("dtype", "float16")
                .containsKeys("command", "seed", "steps", "tokens", "wall_seconds", "corpus_sha256", "final_train_loss",
                        "final_held_out_loss");
        int steps = ((Number) p.get("steps")).intValue();
        int batch = ((Number) p.get("batch_size")).intValue();
        int maxLength = ((Number) p.get("max_length")).intValue();
        assertThat(((Number) p.get("tokens")).longValue()).isBetween((long) steps * batch, (long) steps * batch * maxLength);
        assertThat(p.get("command").toString()).startsWith("trellis finetune pretrain");

        try (CausalLM model = CausalLM.load(dir); HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            assertThat(model.numParameters()).isEqualTo(((Number) p.get("parameters")).longValue());
            assertThat(model.config().vocabSize()).isEqualTo(tokenizer.vocabSize());
            // the held-out loss recorded at the end of pretraining, recomputed from the float16 weights
            long seed = ((Number) p.get("seed")).longValue();
            int corpusVersion = ((Number) p.getOrDefault("corpus_version", 1)).intValue(); // absent: the first corpus
            GroupedCorpus heldOut = Pretrainer.heldOut(seed, corpusVersion, ((Number) p.get("held_out_batches")).intValue(),
                    maxLength, tokenizer);
            TrainingArguments args = TrainingArguments.builder().outputDir(tmp.resolve("eval")).maxSteps(1)
                    .perDeviceEvalBatchSize(Pretrainer.HELD_OUT_BATCH).saveStrategy(IntervalStrategy.NO).disableTqdm(true).build();
            Map<String, Object> eval = Trainer.builder().model(model).args(args).trainDataset(heldOut.examples())
                    .evalDataset(heldOut.examples()).tokenizer(tokenizer).build().evaluate();
            assertThat(((Number) eval.get("eval_loss")).doubleValue())
                    .isCloseTo(((Number) p.get("final_held_out_loss")).doubleValue(), offset(0.02));
        }
    }
}
