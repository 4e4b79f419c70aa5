package dev.trellis.finetune.serve;

import ai.djl.Device;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.BpeVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A complete checkpoint directory in seconds: a byte-level BPE tokenizer trained on a small corpus,
 * a randomly initialised 2-layer GPT-NeoX with a matching vocabulary, {@code trellis.json}, and the
 * trainer's dashboard files. Real parts, untrained weights: answers are gibberish, but every code
 * path (tokenizer, forward pass, sampling, templates, JSON constraints) runs for real.
 */
final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    static Path create(Path dir) throws IOException {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            corpus.add("### Question:\nWhat does product " + i + " cost?\n\n### Answer:\nProduct " + i + " costs "
                    + (i * 7 % 90 + 10) + " dollars. {\"name\": \"item\", \"price\": " + i + "}");
        }
        BpeVocabulary vocabulary = BpeTrainer.builder().vocabSize(400).build().train(corpus);
        vocabulary.save(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "gpt_neox");
        config.put("vocab_size", vocabulary.size());
        config.put("hidden_size", 32);
        config.put("num_hidden_layers", 2);
        config.put("num_attention_heads", 4);
        config.put("intermediate_size", 64);
        config.put("rotary_pct", 0.5);
        config.put("max_position_embeddings", 256);
        config.put("use_parallel_residual", true);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 7, Device.cpu())) {
            model.save(dir);
        }
        new TrellisManifest(InstructionTemplate.QUESTION_ANSWER, "trellis-tiny (random init)",
                Map.of("steps", 3, "learning_rate", 1e-3, "dataset", "generated")).write(dir);
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":6.1}\n{\"step\":2,\"loss\":5.7}\n{\"step\":3,\"loss\":5.2}\n");
        Files.writeString(dir.resolve("eval.md"), "| metric | base | finetuned |\n|---|---|---|\n| exact_match | 0.00 | 0.10 |\n");
        return dir;
    }
}
