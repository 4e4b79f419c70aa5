package dev.trellis.finetune.train;

/** The learning-rate schedule after warmup (Hugging Face's {@code lr_scheduler_type}). */
public enum SchedulerType {
    /** Linear decay from the peak to zero at the last step. */
    LINEAR,
    /** Half a cosine from the peak to zero at the last step. */
    COSINE,
    /** The peak learning rate throughout (after warmup, if any: Hugging Face's constant_with_warmup). */
    CONSTANT
}
