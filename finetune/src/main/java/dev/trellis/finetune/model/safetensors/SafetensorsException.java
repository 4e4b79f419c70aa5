package dev.trellis.finetune.model.safetensors;

/** A safetensors file (or sharded index) that is malformed, truncated or asks for something unsupported. */
public class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
