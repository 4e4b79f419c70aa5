package dev.trellis.finetune.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Hooks into the training loop, as Hugging Face's {@code TrainerCallback}; every method has a
 * no-op default. Call {@link TrainerState#requestStop()} to end training early.
 */
public interface TrainerCallback {

    default void onTrainBegin(TrainingArguments args, TrainerState state) {
    }

    /** After each optimizer step. */
    default void onStepEnd(TrainingArguments args, TrainerState state) {
    }

    /** A log entry (loss, learning_rate, grad_norm, tokens_per_second, ...) was recorded. */
    default void onLog(TrainingArguments args, TrainerState state, Map<String, Object> logs) {
    }

    /** An evaluation finished; {@code metrics} holds {@code eval_loss} and friends. */
    default void onEvaluate(TrainingArguments args, TrainerState state, Map<String, Object> metrics) {
    }

    /** A checkpoint directory was written (complete and renamed into place). */
    default void onSave(TrainingArguments args, TrainerState state, Path checkpoint) {
    }

    default void onTrainEnd(TrainingArguments args, TrainerState state) {
    }
}
