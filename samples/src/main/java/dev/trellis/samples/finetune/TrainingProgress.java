package dev.trellis.samples.finetune;

import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.finetune.train.TrainerState;
import dev.trellis.finetune.train.TrainingArguments;
import dev.trellis.samples.Progress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A training run's progress in percent of whichever ends it first, its steps or its time limit: a bar on a
 * terminal, a line every 10% elsewhere, with the latest loss. (The trainer's own per-step log lines go to the
 * log file.)
 */
public final class TrainingProgress implements TrainerCallback, AutoCloseable {

    private final String task;
    private final Duration timeLimit;
    private Progress progress;
    private long start;

    public TrainingProgress(String task, Duration timeLimit) {
        this.task = task;
        this.timeLimit = timeLimit;
    }

    @Override
    public void onTrainBegin(TrainingArguments args, TrainerState state) {
        start = System.nanoTime();
        progress = Progress.start(task, 100);
    }

    @Override
    public void onStepEnd(TrainingArguments args, TrainerState state) {
        double bySteps = state.maxSteps() > 0 ? (double) state.globalStep() / state.maxSteps() : 0;
        double byTime = timeLimit == null ? 0 : (double) (System.nanoTime() - start) / timeLimit.toNanos();
        long percent = Math.min(100, (long) (100 * Math.max(bySteps, byTime)));
        if (percent > progress.done()) {
            progress.stepBy(percent - progress.done());
        }
    }

    @Override
    public void onLog(TrainingArguments args, TrainerState state, Map<String, Object> logs) {
        if (logs.get("loss") instanceof Number loss) {
            progress.message(String.format(Locale.ROOT, "step %d, loss %.3f", state.globalStep(), loss.doubleValue()));
        }
    }

    @Override
    public void onTrainEnd(TrainingArguments args, TrainerState state) {
        close();
    }

    @Override
    public void close() {
        if (progress != null) {
            if (progress.done() < 100) {
                progress.stepBy(100 - progress.done());
            }
            progress.close();
            progress = null;
        }
    }
}
