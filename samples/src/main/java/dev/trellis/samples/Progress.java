package dev.trellis.samples;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work: a bar on a terminal, and a plain line on standard error every tenth of the way
 * elsewhere (a pipe, a CI log), where a redrawn bar would be noise.
 */
public final class Progress implements AutoCloseable {

    private final String task;
    private final long total;
    private final ProgressBar bar;
    private long done;
    private long nextReport;
    private String message = "";
    private boolean closed;

    private Progress(String task, long total, ProgressBar bar) {
        this.task = task;
        this.total = total;
        this.bar = bar;
        this.nextReport = Math.max(1, total / 10);
    }

    /** Starts tracking {@code total} units of {@code task}. */
    public static Progress start(String task, long total) {
        ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder()
                .setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
        return new Progress(task, total, bar);
    }

    /** Records {@code n} more units done. */
    public void stepBy(long n) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (done >= nextReport || done == total) {
            System.err.printf("%s: %d/%d (%d%%)%s%n", task, done, total, total == 0 ? 100 : done * 100 / total,
                    message.isEmpty() ? "" : ", " + message);
            nextReport = done + Math.max(1, total / 10);
        }
    }

    /** A short status shown beside the bar (and on the plain lines), e.g. the current loss. */
    public void message(String text) {
        message = text == null ? "" : text;
        if (bar != null) {
            bar.setExtraMessage(message);
        }
    }

    /** Units done so far. */
    public long done() {
        return done;
    }

    @Override
    public void close() {
        if (bar != null && !closed) {
            bar.close();
        }
        closed = true;
    }
}
