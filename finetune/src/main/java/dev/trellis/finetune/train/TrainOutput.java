package dev.trellis.finetune.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link Trainer#train()} returns, as Hugging Face's {@code TrainOutput}.
 *
 * @param globalStep   optimizer steps completed
 * @param trainingLoss mean training loss over the steps this call ran
 * @param metrics      train_runtime, train_tokens_per_second, train_steps_per_second, epoch, ... and the last eval metrics
 * @param outputDir    the final checkpoint directory (the model to load with {@code CausalLM.load})
 */
public record TrainOutput(int globalStep, double trainingLoss, Map<String, Object> metrics, Path outputDir) {
}
