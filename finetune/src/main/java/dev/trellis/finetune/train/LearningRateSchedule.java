package dev.trellis.finetune.train;

/**
 * The learning rate of each optimizer step, as transformers' {@code get_scheduler} computes it:
 * linear warmup from 0 over {@code warmupSteps}, then constant, linear or cosine decay to 0 at
 * {@code totalSteps}. Step {@code s} (0-based) is the s-th optimizer update, so with warmup the
 * first update uses a learning rate of 0, exactly as Hugging Face's LambdaLR does.
 */
public record LearningRateSchedule(SchedulerType type, double peak, int warmupSteps, int totalSteps) {

    public LearningRateSchedule {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
        }
    }

    /** The learning rate for the optimizer update at 0-based {@code step}. */
    public double learningRate(int step) {
        return peak * factor(step);
    }

    private double factor(int step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (type) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
