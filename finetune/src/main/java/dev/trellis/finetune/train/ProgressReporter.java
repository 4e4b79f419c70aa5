package dev.trellis.finetune.train;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows training progress: a progress bar with step, loss, learning rate and tokens/s on a
 * terminal; plain log lines (one per logging step, at most one every few seconds otherwise)
 * when output goes to a file or CI log.
 */
final class ProgressReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final ProgressBar bar;
    private final int maxSteps;
    private long lastLine = System.nanoTime();

    ProgressReporter(int startStep, int maxSteps, boolean disableBar) {
        this.maxSteps = maxSteps;
        if (!disableBar && System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(maxSteps).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(500)
                    .startsFrom(startStep, java.time.Duration.ZERO).build();
        } else {
            bar = null;
        }
    }

    /** After each step: updates the bar, or writes a log line when one is due (or {@code logged}). */
    void step(int step, double loss, double lr, double tokensPerSecond, boolean logged) {
        String msg = String.format(Locale.ROOT, "loss %.4f lr %.2e %,.0f tok/s", loss, lr, tokensPerSecond);
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(msg);
        } else if (logged || System.nanoTime() - lastLine > LOG_INTERVAL_NANOS || step == maxSteps) {
            lastLine = System.nanoTime();
            LOG.info("step {}/{}: {}", step, maxSteps, msg);
        }
    }

    void message(String text) {
        if (bar == null) {
            LOG.info(text);
        } else {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
