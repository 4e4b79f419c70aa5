package dev.trellis.finetune;

import dev.trellis.finetune.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named base models that need no download: a small gpt_neox (Pythia's architecture) configuration,
 * randomly initialised, whose BPE tokenizer {@link ModelRunner} trains on the finetuning data.
 * {@code vocabSize} is the tokenizer's target size; the model's embedding is sized to the
 * tokenizer actually trained.
 */
public enum BuiltInModel {

    /** ~0.1M non-embedding parameters: for tests and smoke runs (seconds on a CPU). */
    TRELLIS_MICRO("trellis-micro", 64, 2, 4, 256, 256, 512),
    /**
     * ~0.8M non-embedding parameters: the CPU finetuning demo, trained on docs_qa.jsonl within 10 minutes
     * on 2 cores ({@link ModelRunner} holds the training defaults that go with it).
     */
    TRELLIS_TINY("trellis-tiny", 128, 4, 4, 512, 2048, 2048),
    /** ~3.2M non-embedding parameters: the DESIGN's 5M-parameter decoder (d 256, 4 layers), for a GPU or a long CPU run. */
    TRELLIS_SMALL("trellis-small", 256, 4, 8, 1024, 2048, 4096);

    private final String id;
    private final int hiddenSize;
    private final int layers;
    private final int heads;
    private final int intermediateSize;
    private final int maxPositions;
    private final int vocabSize;

    BuiltInModel(String id, int hiddenSize, int layers, int heads, int intermediateSize, int maxPositions, int vocabSize) {
        this.id = id;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.heads = heads;
        this.intermediateSize = intermediateSize;
        this.maxPositions = maxPositions;
        this.vocabSize = vocabSize;
    }

    /** The name a user passes instead of a directory, e.g. {@code "trellis-tiny"}. */
    public String id() {
        return id;
    }

    /** The BPE vocabulary size to train. */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * The context length. Positions are rotary, so a long context costs nothing until used; 2048 leaves
     * room for RetrievalQA prompts with several catalogue rows (trellis-micro, for tests, keeps 256).
     */
    public int maxPositions() {
        return maxPositions;
    }

    /** The model configuration for a tokenizer of {@code vocab} ids and the given special token ids. */
    public ModelConfig config(int vocab, int bosTokenId, int eosTokenId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt_neox");
        m.put("vocab_size", vocab);
        m.put("hidden_size", hiddenSize);
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", heads);
        m.put("intermediate_size", intermediateSize);
        m.put("rotary_pct", 0.25);
        m.put("max_position_embeddings", maxPositions);
        m.put("use_parallel_residual", true);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        return ModelConfig.fromMap(m);
    }

    /** Whether {@code name} names a built-in model. */
    public static boolean isBuiltIn(String name) {
        for (BuiltInModel b : values()) {
            if (b.id.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The built-in model called {@code name}; the message lists the names when there is none. */
    public static BuiltInModel named(String name) {
        for (BuiltInModel b : values()) {
            if (b.id.equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is neither a checkpoint directory nor a built-in model; "
                + "built-ins are " + List.of(values()).stream().map(BuiltInModel::id).toList() + ", and trellis-base is the shipped pretrained base");
    }
}
