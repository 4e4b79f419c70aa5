package dev.trellis.finetune.model;

/** A checkpoint directory or model configuration that Trellis cannot load or build, with what to do about it. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
