package dev.trellis.finetune.train;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops training once a wall-clock budget is spent, counted from the start of this run (the final model is
 * still written). Optionally anneals: over the last {@code decayFraction} of the budget, and of the planned
 * steps, the learning rate falls linearly to zero, so a run cut by time still ends on a low rate, whatever
 * speed the machine turned out to have (a warmup-stable-decay schedule whose decay is timed by the clock).
 */
public final class TimeLimitCallback implements TrainerCallback {

    private static final Logger LOG = LoggerFactory.getLogger(TimeLimitCallback.class);

    private final Duration limit;
    private final double decayFraction;
    private long start;

    /** Stops at the limit; no annealing. */
    public TimeLimitCallback(Duration limit) {
        this(limit, 0);
    }

    public TimeLimitCallback(Duration limit, double decayFraction) {
        this.limit = Objects.requireNonNull(limit, "limit");
        if (!(decayFraction >= 0 && decayFraction < 1)) {
            throw new IllegalArgumentException("decayFraction must be within [0, 1), got " + decayFraction);
        }
        this.decayFraction = decayFraction;
    }

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state) {
        start = System.nanoTime();
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state) {
        double spent = (double) (System.nanoTime() - start) / limit.toNanos();
        if (spent >= 1) {
            LOG.info("training time limit {} reached at step {}; stopping", limit, state.globalStep());
            state.requestStop();
            return;
        }
        if (decayFraction > 0) {
            double byTime = (1 - spent) / decayFraction;
            double bySteps = state.maxSteps() <= 0 ? 1 : (double) (state.maxSteps() - state.globalStep())
                    / (decayFraction * state.maxSteps());
            state.scaleLearningRate(Math.max(0, Math.min(1, Math.min(byTime, bySteps))));
        }
    }
}
