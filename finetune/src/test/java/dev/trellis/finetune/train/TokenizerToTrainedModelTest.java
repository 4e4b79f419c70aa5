package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.DatasetTokenizer;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real parts, well under 30 seconds: train a byte-level BPE tokenizer on a small
 * corpus, build a tiny gpt_neox sized to it, run one training step with DJL autograd through the
 * Trainer, and reload the written checkpoint (model, tokenizer and trellis.json) with identical logits.
 */
class TokenizerToTrainedModelTest {

    @TempDir
    Path tmp;

    @Test
    void bpeTokenizerTinyGptNeoXOneStepSaveAndReload() {
        List<InstructionExample> examples = new ArrayList<>();
        String[] products = {"Alpine Shell Jacket", "Harbor Linen Shirt", "Summit Wool Beanie", "Trail Runner Shorts"};
        String[] fabrics = {"recycled nylon", "washed linen", "merino wool", "ripstop polyester"};
        for (int i = 0; i < products.length; i++) {
            examples.add(InstructionExample.of("What is the " + products[i] + " made of?",
                    "The " + products[i] + " is made of " + fabrics[i] + "."));
            examples.add(InstructionExample.of("Which fabric does the " + products[i] + " use?", fabrics[i] + "."));
        }
        List<String> corpus = new ArrayList<>();
        for (InstructionExample e : examples) {
            corpus.add(e.prompt() + " " + e.response());
        }
        Path tokDir = tmp.resolve("tokenizer");
        BpeTrainer.builder().vocabSize(320).build().train(corpus).save(tokDir);
        InstructionDataset data = InstructionDataset.of("inline", FieldMapping.QUESTION_ANSWER, examples);
        try (HfTokenizer tokenizer = HfTokenizer.load(tokDir)) {
            TokenizedDataset train = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(64).build().tokenize(data);
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("model_type", "gpt_neox");
            cfg.put("vocab_size", tokenizer.vocabSize());
            cfg.put("hidden_size", 32);
            cfg.put("num_hidden_layers", 2);
            cfg.put("num_attention_heads", 4);
            cfg.put("intermediate_size", 64);
            cfg.put("max_position_embeddings", 64);
            cfg.put("eos_token_id", tokenizer.eosTokenId());
            cfg.put("bos_token_id", tokenizer.eosTokenId());
            Path out = tmp.resolve("trained");
            try (CausalLM model = CausalLM.create(ModelConfig.fromMap(cfg), 3, Device.cpu());
                 NDManager m = NDManager.newBaseManager(Device.cpu())) {
                float[] before = model.parameters().get(1).array().toFloatArray();
                TrainOutput result = Trainer.builder().model(model).tokenizer(tokenizer).trainDataset(train)
                        .baseModel("trellis-tiny").args(TrainingArguments.builder().outputDir(out).maxSteps(1)
                                .perDeviceTrainBatchSize(8).learningRate(1e-3).disableTqdm(true).build())
                        .build().train();
                assertThat(result.globalStep()).isEqualTo(1);
                assertThat(Double.isFinite(result.trainingLoss())).isTrue();
                assertThat(model.parameters().get(1).array().toFloatArray()).as("one step changed the weights")
                        .isNotEqualTo(before);

                int[] ids = tokenizer.encode("### Question:\nWhat is the Alpine Shell Jacket made of?");
                long[] longIds = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    longIds[i] = ids[i];
                }
                float[] expected = model.forward(m.create(longIds, new Shape(1, ids.length))).toFloatArray();
                try (CausalLM reloaded = CausalLM.load(out, Device.cpu());
                     HfTokenizer reloadedTokenizer = HfTokenizer.load(out)) {
                    assertThat(reloadedTokenizer.encode("What is the Alpine Shell Jacket made of?"))
                            .containsExactly(tokenizer.encode("What is the Alpine Shell Jacket made of?"));
                    assertThat(reloaded.forward(m.create(longIds, new Shape(1, ids.length))).toFloatArray())
                            .containsExactly(expected);
                }
                TrellisManifest manifest = TrellisManifest.read(out);
                assertThat(manifest.baseModel()).isEqualTo("trellis-tiny");
                assertThat(manifest.template().name()).isEqualTo(InstructionTemplate.QUESTION_ANSWER.name());
            }
        }
    }
}
