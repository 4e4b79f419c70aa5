package dev.trellis.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trellis} command: one subcommand per course section, plus benchmarks. */
@Command(name = "trellis", mixinStandardHelpOptions = true, version = "trellis 0.1.0",
        description = "LLM applications in Java: memory, chains, agents, retrieval, finetuning, serving.",
        subcommands = {CommandLine.HelpCommand.class,
                QuickstartCommand.class,
                MemoryCommand.class,
                ChainsCommand.class,
                RouterCommand.class,
                QaCommand.class,
                EvaluateCommand.class,
                ChatCommand.class,
                AgentCommand.class,
                dev.trellis.samples.finetune.FinetuneCommand.class,
                ServeCommand.class,
                dev.trellis.samples.bench.BenchCommand.class})
public final class TrellisCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Read by {@link ErrorHandler} from the parse result: any subcommand takes it. */
    @CommandLine.Option(names = ErrorHandler.VERBOSE, scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print the stack trace too (for a bug report).")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Trellis' error handling: a configuration error prints its message, not a trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new TrellisCommand()).setExecutionExceptionHandler(new ErrorHandler());
    }
}
