package dev.trellis.samples.finetune;

import dev.trellis.finetune.pretrain.BaseShape;
import dev.trellis.finetune.pretrain.Pretrainer;
import dev.trellis.finetune.pretrain.ShippedBase;
import dev.trellis.samples.TrellisHome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Pretrains a base model from scratch on the generated reading corpus ({@link Pretrainer}). */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain a base model from scratch on Trellis' generated reading corpus (records of eleven kinds"
                + " with lookup questions, grading exercises and prose): a BPE tokenizer, then a Llama-architecture"
                + " decoder, length-grouped batches in curriculum order, checkpoints every few minutes.",
                "Writes DIR/model: the base in float16 with its provenance in trellis.json and loss.png. A stopped run"
                        + " continues with --resume."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune pretrain --time-limit 120 --output /tmp/base",
                "  trellis finetune pretrain --resume --output /tmp/base"})
public final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--output", paramLabel = "DIR",
            description = "Run directory (default: $TRELLIS_HOME/pretrain).")
    Path output;

    @Option(names = "--time-limit", paramLabel = "MINUTES", defaultValue = "120",
            description = "Wall-clock budget in minutes; the step count is planned from it (default: ${DEFAULT-VALUE}).")
    double timeLimitMinutes;

    @Option(names = "--max-steps", paramLabel = "N", description = "Plan this many steps instead of timing a few.")
    Integer maxSteps;

    @Option(names = "--shape", defaultValue = "base", paramLabel = "NAME",
            description = "Model size: base (the shipped one) or micro (tests) (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--seed", defaultValue = "20261204", description = "Corpus and initialisation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", description = "Documents per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", defaultValue = "512", description = "Longest document in tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--learning-rate", defaultValue = "1e-3", paramLabel = "RATE",
            description = "Peak learning rate, after warmup, falling linearly to zero over the last fifth of the run"
                    + " (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--save-steps", paramLabel = "N",
            description = "Checkpoint and held-out evaluation interval (default: a 24th of the run).")
    Integer saveSteps;

    @Option(names = "--tokenizer-documents", defaultValue = "20000", paramLabel = "N",
            description = "Corpus documents the tokenizer is trained on (default: ${DEFAULT-VALUE}).")
    int tokenizerDocuments;

    @Option(names = "--held-out-batches", defaultValue = "24", paramLabel = "N",
            description = "Batches of 8 documents of a corpus with another seed, for the held-out loss (default: ${DEFAULT-VALUE}).")
    int heldOutBatches;

    @Option(names = "--resume", description = "Continue the run in --output from its latest checkpoint.")
    boolean resume;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Continue a base this command made (its model/ directory, or trellis-base): start from its weights"
                    + " and tokenizer with a new plan and corpus (use another --seed for fresh documents).")
    String initFrom;

    @Option(names = "--overwrite", description = "Replace what --output holds.")
    boolean overwrite;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        if (!(timeLimitMinutes > 0)) {
            throw new IllegalArgumentException("--time-limit " + timeLimitMinutes + ": give a positive number of minutes");
        }
        Path dir = output != null ? output : TrellisHome.directory().resolve("pretrain");
        StringBuilder command = new StringBuilder("trellis finetune pretrain --shape ").append(shape)
                .append(" --seed ").append(seed).append(" --batch-size ").append(batchSize)
                .append(" --max-length ").append(maxLength).append(" --learning-rate ").append(learningRate)
                .append(" --time-limit ").append(timeLimitMinutes);
        if (maxSteps != null) {
            command.append(" --max-steps ").append(maxSteps);
        }
        if (initFrom != null) {
            command.append(" --init-from ").append(initFrom);
        }
        if (resume) {
            command.append(" --resume");
        }
        Pretrainer.Builder b = Pretrainer.builder().outputDir(dir).shape(BaseShape.named(shape)).seed(seed)
                .timeLimit(Duration.ofMillis((long) (timeLimitMinutes * 60_000))).batchSize(batchSize)
                .maxLength(maxLength).learningRate(learningRate).tokenizerDocuments(tokenizerDocuments)
                .heldOutBatches(heldOutBatches).resume(resume).overwrite(overwrite).command(command.toString())
                .disableProgressBar(true).callback(new TrainingProgress("Pretraining",
                        Duration.ofMillis((long) (timeLimitMinutes * 60_000))));
        if (maxSteps != null) {
            b.maxSteps(maxSteps);
        }
        if (saveSteps != null) {
            b.saveSteps(saveSteps);
        }
        if (initFrom != null) {
            b.initFrom(ShippedBase.isShippedBase(initFrom) ? ShippedBase.directory() : Path.of(initFrom));
        }
        Pretrainer.Result r = b.build().run();
        out.printf(Locale.ROOT, "Pretrained %d steps (%,d tokens) in %.0f s: train loss %.4f, held-out loss %.4f%n",
                r.steps(), r.tokens(), r.wallSeconds(), r.trainLoss(), r.heldOutLoss());
        out.println("Base: " + r.model() + "  (finetune it: trellis finetune train --base " + r.model() + ")");
        return 0;
    }
}
