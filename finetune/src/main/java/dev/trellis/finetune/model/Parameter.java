package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;

/**
 * A trainable tensor of a model under its Hugging Face name.
 *
 * @param name  the name transformers gives it, e.g. {@code gpt_neox.layers.0.attention.dense.weight}
 * @param array the tensor itself, owned by the model (update it in place; never close it)
 * @param kind  what it is, which decides initialisation and weight decay
 */
public record Parameter(String name, NDArray array, Kind kind) {

    /** The role of a parameter. */
    public enum Kind {
        /** A lookup table: token or position embeddings. */
        EMBEDDING,
        /** The weight matrix of a linear (or Conv1D) layer. */
        WEIGHT,
        /** The bias of a linear layer. */
        BIAS,
        /** The scale or shift of a LayerNorm or RMSNorm. */
        NORM
    }

    /** Whether weight decay applies, as Hugging Face's Trainer decides: not on biases and norms. */
    public boolean decay() {
        return kind == Kind.WEIGHT || kind == Kind.EMBEDDING;
    }

    /** Number of elements. */
    public long size() {
        return array.size();
    }
}
