package dev.trellis.finetune.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tiny configurations of every architecture, as config.json fields, for fast tests. */
final class TinyModels {
    static final int VOCAB = 61;

    private TinyModels() {
    }

    static Map<String, Object> gptNeoX() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt_neox");
        m.put("vocab_size", VOCAB);
        m.put("hidden_size", 32);
        m.put("num_hidden_layers", 2);
        m.put("num_attention_heads", 4);
        m.put("intermediate_size", 64);
        m.put("rotary_pct", 0.5);
        m.put("max_position_embeddings", 64);
        m.put("use_parallel_residual", true);
        return m;
    }

    static Map<String, Object> gptNeoXSequential() {
        Map<String, Object> m = gptNeoX();
        m.put("use_parallel_residual", false);
        m.put("rotary_pct", 1.0);
        m.put("tie_word_embeddings", true);
        return m;
    }

    static Map<String, Object> gpt2() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt2");
        m.put("vocab_size", VOCAB);
        m.put("n_embd", 32);
        m.put("n_layer", 2);
        m.put("n_head", 4);
        m.put("n_positions", 64);
        m.put("n_inner", 64);
        return m;
    }

    static Map<String, Object> llama() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "llama");
        m.put("vocab_size", VOCAB);
        m.put("hidden_size", 32);
        m.put("intermediate_size", 48);
        m.put("num_hidden_layers", 2);
        m.put("num_attention_heads", 4);
        m.put("num_key_value_heads", 2);
        m.put("max_position_embeddings", 64);
        m.put("rope_theta", 10000.0);
        return m;
    }

    static Map<String, Object> qwen2() {
        Map<String, Object> m = llama();
        m.put("model_type", "qwen2");
        m.put("tie_word_embeddings", true);
        m.put("rope_theta", 1000000.0);
        return m;
    }

    static Map<String, Object> mistral() {
        Map<String, Object> m = llama();
        m.put("model_type", "mistral");
        m.put("sliding_window", 4);
        m.put("num_key_value_heads", 1);
        return m;
    }

    /** name, config pairs for parameterized tests. */
    static List<Object[]> all() {
        return List.of(
                new Object[] {"gpt_neox", gptNeoX()},
                new Object[] {"gpt_neox_sequential_tied", gptNeoXSequential()},
                new Object[] {"gpt2", gpt2()},
                new Object[] {"llama", llama()},
                new Object[] {"qwen2", qwen2()},
                new Object[] {"mistral_window", mistral()});
    }
}
