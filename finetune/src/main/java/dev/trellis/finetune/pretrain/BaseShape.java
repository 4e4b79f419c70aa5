package dev.trellis.finetune.pretrain;

import dev.trellis.finetune.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sizes a base can be pretrained at: Llama-architecture decoders (RMSNorm, SwiGLU, rotary on every
 * head dimension, tied embeddings), the shape SmolLM uses, small enough for a CPU.
 *
 * <p>{@link #BASE} was chosen by measurement: on the 2-core development VM it trains at about
 * {@code trellis bench train}'s MFU, so two hours see some tens of millions of tokens, the
 * compute-optimal budget (about 20 tokens per parameter) for a model of a few million parameters.
 */
public enum BaseShape {

    /** For tests: seconds per run. */
    MICRO("micro", 64, 2, 4, 176, 512, 512),
    /** The shipped base. */
    BASE("base", 256, 4, 8, 688, 2048, 4096);

    private final String id;
    private final int hidden;
    private final int layers;
    private final int heads;
    private final int intermediate;
    private final int maxPositions;
    private final int vocabSize;

    BaseShape(String id, int hidden, int layers, int heads, int intermediate, int maxPositions, int vocabSize) {
        this.id = id;
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.intermediate = intermediate;
        this.maxPositions = maxPositions;
        this.vocabSize = vocabSize;
    }

    public String id() {
        return id;
    }

    /** The BPE vocabulary size to train. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The model configuration for a tokenizer of {@code vocab} ids. */
    public ModelConfig config(int vocab, int bosTokenId, int eosTokenId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "llama");
        m.put("vocab_size", vocab);
        m.put("hidden_size", hidden);
        m.put("intermediate_size", intermediate);
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", heads);
        m.put("num_key_value_heads", heads);
        m.put("max_position_embeddings", maxPositions);
        m.put("rms_norm_eps", 1e-5);
        m.put("rope_theta", 10000.0);
        m.put("tie_word_embeddings", true);
        m.put("hidden_act", "silu");
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        return ModelConfig.fromMap(m);
    }

    /** The shape called {@code name} ({@code base}, {@code micro}). */
    public static BaseShape named(String name) {
        for (BaseShape s : values()) {
            if (s.id.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("no base shape named '" + name + "'; shapes are "
                + List.of(values()).stream().map(BaseShape::id).toList());
    }
}
