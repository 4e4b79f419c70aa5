package dev.trellis.finetune.train;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stops training once a wall-clock budget is spent, counted from the start of this run (the final model is still written). */
public final class TimeLimitCallback implements TrainerCallback {

    private static final Logger LOG = LoggerFactory.getLogger(TimeLimitCallback.class);

    private final Duration limit;
    private long start;

    public TimeLimitCallback(Duration limit) {
        this.limit = Objects.requireNonNull(limit, "limit");
    }

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state) {
        start = System.nanoTime();
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state) {
        if (System.nanoTime() - start >= limit.toNanos()) {
            LOG.info("training time limit {} reached at step {}; stopping", limit, state.globalStep());
            state.requestStop();
        }
    }
}
