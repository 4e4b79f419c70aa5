package dev.trellis.samples.bench;

import dev.trellis.samples.UserError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The config.json of published models, for benchmarks on random weights of real sizes (nothing is
 * downloaded): the fields that decide the shapes, copied from each model's Hugging Face config.
 */
final class PublishedShapes {

    private PublishedShapes() {
    }

    /** Names {@code --shape} accepts, in size order. */
    static final Map<String, Map<String, Object>> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("pythia-70m", pythia(512, 6, 8, 2048));
        SHAPES.put("SmolLM2-135M", llama("llama", 49152, 576, 1536, 30, 9, 3, 100000.0, 1e-5, 8192));
        SHAPES.put("pythia-160m", pythia(768, 12, 12, 3072));
        SHAPES.put("Qwen2.5-0.5B", llama("qwen2", 151936, 896, 4864, 24, 14, 2, 1000000.0, 1e-6, 32768));
    }

    /** The config of a shape by name (case-insensitive); an unknown name is the user's mistake. */
    static Map<String, Object> config(String name) {
        for (Map.Entry<String, Map<String, Object>> e : SHAPES.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name.strip())) {
                return new LinkedHashMap<>(e.getValue());
            }
        }
        throw new UserError("--shape '" + name + "' is not a shape Trellis knows; use one of " + SHAPES.keySet()
                + ", or --model DIR for a checkpoint");
    }

    /** The canonical spelling of a shape name. */
    static String canonical(String name) {
        return SHAPES.keySet().stream().filter(k -> k.equalsIgnoreCase(name.strip())).findFirst().orElse(name);
    }

    private static Map<String, Object> pythia(int hidden, int layers, int heads, int intermediate) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", "gpt_neox");
        c.put("vocab_size", 50304);
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("intermediate_size", intermediate);
        c.put("hidden_act", "gelu");
        c.put("rotary_pct", 0.25);
        c.put("rotary_emb_base", 10000);
        c.put("max_position_embeddings", 2048);
        c.put("layer_norm_eps", 1e-5);
        c.put("use_parallel_residual", true);
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", 0);
        c.put("eos_token_id", 0);
        return c;
    }

    private static Map<String, Object> llama(String type, int vocab, int hidden, int intermediate, int layers, int heads,
                                             int kvHeads, double ropeTheta, double eps, int maxPositions) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", type);
        c.put("vocab_size", vocab);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("hidden_act", "silu");
        c.put("rope_theta", ropeTheta);
        c.put("rms_norm_eps", eps);
        c.put("max_position_embeddings", maxPositions);
        c.put("tie_word_embeddings", true);
        return c;
    }
}
