package dev.trellis.finetune.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where training stands, as Hugging Face's {@code TrainerState}: handed to every
 * {@link TrainerCallback}, and saved in each checkpoint's {@code trainer_state.json}.
 */
public final class TrainerState {

    int globalStep;
    int maxSteps;
    int stepsPerEpoch;
    double epoch;
    Double bestMetric;
    Path bestModelCheckpoint;
    int evaluationsWithoutImprovement;
    boolean shouldStop;
    double learningRateScale = 1.0;
    final List<Map<String, Object>> logHistory = new ArrayList<>();

    /** The factor the schedule's learning rate is multiplied by (1 unless a callback, e.g. a time budget's decay, lowers it). */
    public double learningRateScale() { return learningRateScale; }

    /** Scales the learning rate of the following steps (0 to 1): how a callback anneals a run whose end it decides. */
    public void scaleLearningRate(double scale) {
        if (!(scale >= 0 && scale <= 1)) {
            throw new IllegalArgumentException("learning-rate scale must be within [0, 1], got " + scale);
        }
        learningRateScale = scale;
    }

    /** Optimizer steps completed. */
    public int globalStep() { return globalStep; }

    /** Optimizer steps the run will take (unless stopped early). */
    public int maxSteps() { return maxSteps; }

    /** Optimizer steps in one pass over the training data. */
    public int stepsPerEpoch() { return stepsPerEpoch; }

    /** Fractional epochs completed. */
    public double epoch() { return epoch; }

    /** Best value of {@code metricForBestModel} so far, or null. */
    public Double bestMetric() { return bestMetric; }

    /** The checkpoint that holds the best model so far, or null. */
    public Path bestModelCheckpoint() { return bestModelCheckpoint; }

    /** Every log and evaluation entry so far, oldest first. */
    public List<Map<String, Object>> logHistory() { return Collections.unmodifiableList(logHistory); }

    /** Asks the trainer to stop after the current step (it still saves and writes the final model). */
    public void requestStop() { shouldStop = true; }

    /** Whether a stop was requested (by a callback or early stopping). */
    public boolean shouldStop() { return shouldStop; }
}
