package dev.trellis.samples.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trellis bench NAME}: measurements that print a table and one JSON line with baseline, ours and ratio. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks, each against a baseline measured in the same run.",
        subcommands = {StoreBench.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
