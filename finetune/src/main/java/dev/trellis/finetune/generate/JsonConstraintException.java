package dev.trellis.finetune.generate;

/** A JSON schema that constrained decoding cannot enforce, or that is malformed. */
public class JsonConstraintException extends IllegalArgumentException {

    public JsonConstraintException(String message) {
        super(message);
    }

    public JsonConstraintException(String message, Throwable cause) {
        super(message, cause);
    }
}
