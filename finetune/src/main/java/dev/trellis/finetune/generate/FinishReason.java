package dev.trellis.finetune.generate;

/** Why generation of one sequence stopped. */
public enum FinishReason {
    /** The model produced its end-of-sequence token (or a constrained JSON document was complete). */
    STOP,
    /** A stop sequence appeared; it is cut from the text. */
    STOP_SEQUENCE,
    /** {@code maxNewTokens} were generated (a constrained document is still closed validly). */
    LENGTH
}
