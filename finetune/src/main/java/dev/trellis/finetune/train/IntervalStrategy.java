package dev.trellis.finetune.train;

/** When the trainer logs, evaluates or saves: Hugging Face's {@code IntervalStrategy}. */
public enum IntervalStrategy {
    /** Never. */
    NO,
    /** Every {@code *Steps} optimizer steps. */
    STEPS,
    /** At the end of every epoch. */
    EPOCH
}
