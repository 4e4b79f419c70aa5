package dev.trellis.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.Device;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;

/** Writes a tiny, randomly initialised checkpoint directory (model, BPE tokenizer, trellis.json) for tests. */
public final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    public static List<String> corpus() {
        String[] words = {"trail", "jacket", "waterproof", "hiking", "pants", "price", "the", "a", "with", "and",
            "question", "answer", "destination", "input", "café", "{", "}", "\"", ":", ",", "[", "]", "true", "42"};
        Random r = new Random(3);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < 120; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? "\n" : " ");
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** A gpt_neox model of width 32, 2 layers, context 2048, with a 400-token byte-level BPE vocabulary. */
    public static Path write(Path dir, long seed) {
        var bpe = BpeTrainer.builder().vocabSize(400).build().train(corpus());
        bpe.save(dir);
        Map<String, Object> cfg = Map.of(
                "model_type", "gpt_neox",
                "vocab_size", bpe.size(),
                "hidden_size", 32,
                "num_hidden_layers", 2,
                "num_attention_heads", 4,
                "intermediate_size", 64,
                "rotary_pct", 0.5,
                "max_position_embeddings", 2048,
                "eos_token_id", 0);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(cfg), seed, Device.cpu())) {
            model.save(dir);
        }
        new TrellisManifest(InstructionTemplate.QUESTION_ANSWER, "trellis-tiny-test", Map.of()).write(dir);
        return dir;
    }
}
