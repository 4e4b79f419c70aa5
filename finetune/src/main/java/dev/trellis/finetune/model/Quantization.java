package dev.trellis.finetune.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a model's linear weights are stored for inference ({@link CausalLM#quantize}). {@code INT8} is
 * weight-only, like llama.cpp's Q8_0: signed bytes with one float scale per group of 32 inputs.
 */
public enum Quantization {
    /** The weights as loaded (float32). */
    NONE,
    /** Weight-only int8, one scale per 32 inputs of each output row; decoding runs a SIMD int8 kernel. */
    INT8;

    /** The name a user types: {@code none} or {@code int8}. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a user's value; {@code flag} names the option in the error message
     * (e.g. {@code --quantize}).
     */
    public static Quantization parse(String value, String flag) {
        if (value != null) {
            for (Quantization q : values()) {
                if (q.flagValue().equalsIgnoreCase(value.strip())) {
                    return q;
                }
            }
        }
        throw new IllegalArgumentException(flag + " '" + value + "' is not a quantization Trellis knows; use one of "
                + Arrays.stream(values()).map(Quantization::flagValue).toList());
    }
}
