package dev.trellis.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trellis} command: one subcommand per course section, plus benchmarks. */
@Command(name = "trellis", mixinStandardHelpOptions = true, version = "trellis 0.1.0",
        description = "LLM applications in Java: memory, chains, agents, retrieval, finetuning, serving.",
        subcommands = {CommandLine.HelpCommand.class, dev.trellis.samples.bench.BenchCommand.class, ServeCommand.class})
public final class TrellisCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrellisCommand()).execute(args));
    }
}
