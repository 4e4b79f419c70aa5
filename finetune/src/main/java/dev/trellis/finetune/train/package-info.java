/**
 * Training causal language models: Hugging Face's {@code TrainingArguments} and {@code Trainer} in Java.
 *
 * <p>{@link dev.trellis.finetune.train.TrainingArguments} holds the configuration (refused early, naming
 * the field, when it cannot work); {@link dev.trellis.finetune.train.Trainer} runs a hand-written DJL
 * loop with gradient accumulation, global-norm clipping, warmup + linear/cosine/constant schedules and
 * AdamW, Adafactor or SGD, evaluates, keeps the best checkpoint, stops early, and writes atomic
 * {@code checkpoint-<step>} directories that a run killed at any moment resumes from exactly.
 * Every run leaves {@code metrics.jsonl} and {@code loss.png} next to the final model.
 */
package dev.trellis.finetune.train;
