package dev.trellis.finetune.model.decode;

import dev.trellis.finetune.model.quant.Q8Matrix;

/**
 * How a decoding step reads a quantized model's weights, by their Hugging Face names: the model
 * implements it, so this package needs no model classes.
 */
public interface DecodeWeights {

    /** A float parameter (a norm's weight or bias, a projection's bias) as float32 values. */
    float[] vector(String name);

    /** Whether the model has a parameter of that name (an optional bias). */
    boolean has(String name);

    /** The int8 form of a projection weight, the very matrix the model's int8 products use. */
    Q8Matrix matrix(String name);

    /**
     * Writes row {@code id} of an embedding table to {@code out} from {@code offset}: the values the
     * model's own embedding lookup gives (for a table tied to a quantized head, its dequantized values).
     */
    void embedding(String name, long id, float[] out, int offset);
}
