package dev.trellis.samples;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real checkpoint directory in seconds, for running the samples offline: a BPE tokenizer trained
 * on the bundled catalogue's text and a randomly initialised 2-layer GPT-NeoX with a 2048-token
 * context (room for the router's and the memories' long prompts). Untrained: it answers gibberish,
 * which is exactly what the samples must survive.
 */
final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    static Path create(Path dir) throws IOException {
        List<String> corpus = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        BpeVocabulary vocabulary = BpeTrainer.builder().vocabSize(1024).build().train(corpus);
        vocabulary.save(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "gpt_neox");
        config.put("vocab_size", vocabulary.size());
        config.put("hidden_size", 32);
        config.put("num_hidden_layers", 2);
        config.put("num_attention_heads", 4);
        config.put("intermediate_size", 64);
        config.put("max_position_embeddings", 2048);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 7, Device.cpu())) {
            model.save(dir);
        }
        new TrellisManifest(InstructionTemplate.QUESTION_ANSWER, "trellis-tiny (random init)", Map.of()).write(dir);
        return dir;
    }
}
