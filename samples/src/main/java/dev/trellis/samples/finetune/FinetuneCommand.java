package dev.trellis.samples.finetune;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trellis finetune ...}: the Lamini-style finetuning lessons, one subcommand per step. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Finetune a local causal language model: prepare the data, train, evaluate, generate.",
        footerHeading = "%nExample:%n",
        footer = {"  trellis finetune prepare --output /tmp/docs-qa"},
        subcommands = {PrepareCommand.class, PretrainCommand.class, TrainCommand.class, EvalCommand.class, GenerateCommand.class})
public final class FinetuneCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
