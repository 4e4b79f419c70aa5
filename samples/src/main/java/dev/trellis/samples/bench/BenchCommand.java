package dev.trellis.samples.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code trellis bench NAME}: every benchmark prints a readable table and ends with one line of
 * JSON holding its figures (baseline, ours, ratio), measured against a baseline in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints a table and a final JSON line with baseline, ours and their ratio.",
        subcommands = {FrameworkBench.class, EmbeddingsBench.class, StoreBench.class, TrainBench.class,
                GenerateBench.class, ServeBench.class, ReaderBench.class, LoadBench.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
