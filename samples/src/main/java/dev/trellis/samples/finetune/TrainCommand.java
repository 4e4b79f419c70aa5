package dev.trellis.samples.finetune;

import dev.trellis.framework.io.FileTrees;
import ai.djl.engine.Engine;
import dev.trellis.finetune.BuiltInModel;
import dev.trellis.finetune.ModelRunner;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.pretrain.ShippedBase;
import dev.trellis.finetune.train.TrainOutput;
import java.nio.file.StandardCopyOption;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.IntervalStrategy;
import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.samples.OutputDirectory;
import dev.trellis.samples.SampleData;
import dev.trellis.samples.TrellisHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The course's training step: a base model, the prepared data, a Trainer (through {@link ModelRunner}). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Finetune a causal language model on question/answer data and write a checkpoint"
                + " (config.json, model.safetensors, tokenizer.json, trellis.json, metrics.jsonl, loss.png).",
                "Without --base it finetunes trellis-base, the base Trellis pretrained and ships, for --time-limit (3"
                        + " minutes) at 3e-4, falling to zero over the last fifth. --from-scratch instead builds the tiny GPT-NeoX and a BPE tokenizer from the data"
                        + " and trains them from scratch at 4e-3 (10 minutes). With a downloaded --base: one epoch at 5e-5,"
                        + " decaying linearly."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune train --time-limit 3",
                "  trellis finetune train --from-scratch --time-limit 10",
                "  trellis finetune train --base ~/models/pythia-70m --data my_qa.jsonl --learning-rate 1e-5 --output /tmp/pythia-qa"})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE",
            description = "Question/answer examples as JSONL, a JSON array or CSV (default: the bundled docs_qa.jsonl).")
    Path data;

    @Option(names = "--base", paramLabel = "DIR",
            description = "A Hugging Face checkpoint to start from (Pythia, GPT-2, Llama family). Default: trellis-base.")
    Path base;

    @Option(names = "--from-scratch", description = "Train the tiny GPT-NeoX and its tokenizer from scratch on the data"
            + " instead of finetuning trellis-base.")
    boolean fromScratch;

    @Option(names = "--pretrained", hidden = true, description = "Finetune trellis-base: the default now; kept for old scripts.")
    boolean pretrained;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Checkpoint directory to write (default: $TRELLIS_HOME/models/default, the model every command uses).")
    Path output;

    @Option(names = "--max-steps", paramLabel = "N",
            description = "Stop after this many optimizer steps (default: the epochs or the time limit, whichever ends first).")
    Integer maxSteps;

    @Option(names = "--time-limit", paramLabel = "MINUTES",
            description = "Stop training after this many minutes; the model is still saved (default: 3, or 10 --from-scratch).")
    Double timeLimitMinutes;

    @Option(names = "--batch-size", defaultValue = "8", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--overwrite", description = "Replace the model already in --output (the old one stays until the new"
            + " one is complete). Not needed for the default output, $TRELLIS_HOME/models/default.")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue the run a stop (Ctrl+C, kill, a crash) left for --output, from its"
            + " latest checkpoint, instead of starting again.")
    boolean resume;

    @Option(names = "--save-steps", defaultValue = "200", paramLabel = "N",
            description = "Checkpoint every N steps, so a stopped run can --resume (default: ${DEFAULT-VALUE}).")
    int saveSteps;

    @Option(names = "--save-minutes", defaultValue = "2", paramLabel = "MINUTES",
            description = "Also checkpoint every this many minutes (default: ${DEFAULT-VALUE}).")
    double saveMinutes;

    @Option(names = "--learning-rate", paramLabel = "RATE",
            description = "Peak learning rate (default: 3e-4 from trellis-base, 4e-3 from scratch, 5e-5 for another --base).")
    Double learningRate;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        double minutes = timeLimitMinutes != null ? timeLimitMinutes : fromScratch ? 10 : 3;
        if (!(minutes > 0)) {
            throw new IllegalArgumentException("--time-limit " + minutes + ": give a positive number of minutes");
        }
        if (fromScratch && (base != null || pretrained)) {
            throw new IllegalArgumentException("--from-scratch and " + (base != null ? "--base " + base : "--pretrained")
                    + " ask for different starts; pass one");
        }
        Path file = data != null ? data : SampleData.file(SampleData.DOCS_QA);
        Path dir = output != null ? output : TrellisHome.models().resolve("default");
        if (saveSteps < 1 || !(saveMinutes > 0)) {
            throw new IllegalArgumentException("--save-steps " + saveSteps + " / --save-minutes " + saveMinutes
                    + ": give positive intervals (checkpoints are what --resume continues from)");
        }
        if (output != null && Files.isRegularFile(output.resolve("config.json")) && !overwrite && !resume) {
            throw new dev.trellis.samples.UserError("--output " + output + " already holds a model; pass --overwrite to replace"
                    + " it (it stays as it is until the new one is complete), or choose another --output");
        }
        // checked before the first step: the run's work directory goes beside the output
        OutputDirectory.requireWritable(dir, "--output", true);
        TrainOutput result = train(file, baseName(base, fromScratch), dir, maxSteps, batchSize, learningRate,
                Duration.ofMillis((long) (minutes * 60_000)), resume, saveSteps, saveMinutes, List.of(), out);
        out.println("Checkpoint: " + result.outputDir() + "  (chat with it: trellis chat --model " + result.outputDir() + ")");
        return 0;
    }

    /**
     * The training run behind this command, shared with {@code trellis quickstart}: a {@link ModelRunner}
     * over {@code file} (split by its {@code split} field, else 90/10) from {@code base} (a checkpoint directory,
     * trellis-base or a built-in name, see {@link #baseName}), trained with the runner's defaults adjusted by the non-null
     * arguments, until its epochs, {@code maxSteps} or {@code timeLimit} end; the checkpoint goes to {@code dir}.
     */
    public static TrainOutput train(Path file, String base, Path dir, Integer maxSteps, int batchSize, Double learningRate,
                                    Duration timeLimit, List<TrainerCallback> callbacks, PrintStream out) throws IOException {
        return train(file, base, dir, maxSteps, batchSize, learningRate, timeLimit, false, DEFAULT_SAVE_STEPS,
                DEFAULT_SAVE_MINUTES, callbacks, out);
    }

    /** Checkpoint interval in steps, by default. */
    public static final int DEFAULT_SAVE_STEPS = 200;
    /** Checkpoint interval in minutes, by default: a stopped run loses at most this much. */
    public static final double DEFAULT_SAVE_MINUTES = 2;

    /**
     * The same, checkpointing every {@code saveSteps} steps and every {@code saveMinutes} minutes into a work
     * directory beside {@code dir} ({@code .NAME.training}); {@code resume} continues the run a stop left there
     * from its latest checkpoint (else that work is discarded). The finished model replaces {@code dir} as a
     * whole, by renames, so a kill at any moment leaves {@code dir} holding one consistent model: the old one
     * or the new one.
     */
    public static TrainOutput train(Path file, String base, Path dir, Integer maxSteps, int batchSize, Double learningRate,
                                    Duration timeLimit, boolean resume, int saveSteps, double saveMinutes,
                                    List<TrainerCallback> callbacks, PrintStream out) throws IOException {
        if (!BuiltInModel.isBuiltIn(base) && !ShippedBase.isShippedBase(base)) {
            CheckpointEvaluation.requireCheckpoint(Path.of(base), "--base");
        }
        Path target = dir.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path work = workDirectory(target);
        boolean resuming = resume && !Trainer.checkpoints(work.resolve("model")).isEmpty();
        if (!resuming) {
            FileTrees.delete(work);
        }
        Files.createDirectories(work);
        ModelRunner.Builder builder = ModelRunner.builder()
                .baseModel(base)
                .runDir(work)
                .seed(TINY_SEED)
                .trainingTimeLimit(timeLimit)
                .trainingArguments(a -> {
                    a.overwriteOutputDir(!resuming).resumeFromCheckpoint(resuming ? "latest" : null)
                            .saveStrategy(IntervalStrategy.STEPS).saveSteps(saveSteps).saveMinutes(saveMinutes).saveTotalLimit(1)
                            .perDeviceTrainBatchSize(batchSize).disableTqdm(true);
                    if (maxSteps != null) {
                        a.maxSteps(maxSteps);
                    }
                    return learningRate != null ? a.learningRate(learningRate) : a;
                });
        callbacks.forEach(builder::callback);
        TrainingProgress progress = new TrainingProgress("Training", timeLimit);
        builder.callback(progress);
        try (ModelRunner runner = builder.build(); progress) {
            runner.loadData(InstructionDataset.load(file));
            out.println((resuming ? "Resuming the stopped run in " + work + ": " : "")
                    + (ShippedBase.isShippedBase(base) ? "Finetuning trellis-base (the pretrained base Trellis ships)"
                    : BuiltInModel.isBuiltIn(base) ? "Training " + base + " from scratch" : "Finetuning " + base)
                    + " on " + runner.data().train().size() + " examples of " + file.getFileName() + " ("
                    + runner.data().test().size() + " held out) for at most " + minutes(timeLimit) + " min, device "
                    + Engine.getInstance().defaultDevice());
            TrainOutput result = runner.train();
            out.printf(Locale.ROOT, "Trained %d steps: training loss %.4f, held-out loss %.4f%n", result.globalStep(),
                    result.trainingLoss(), ((Number) runner.evalMetrics().getOrDefault("eval_loss", Double.NaN)).doubleValue());
            for (Path checkpoint : Trainer.checkpoints(result.outputDir())) {
                FileTrees.delete(checkpoint); // resume points; the finished model needs none
            }
            install(result.outputDir(), target);
            FileTrees.delete(work);
            return new TrainOutput(result.globalStep(), result.trainingLoss(), result.metrics(), target);
        }
    }

    /** Where a run into {@code target} keeps its checkpoints until it finishes. */
    public static Path workDirectory(Path target) {
        return target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".training");
    }

    /** Moves a finished model into place: a crash leaves either the old model or the new one, never half of one. */
    static void install(Path trained, Path target) throws IOException {
        Path old = target.resolveSibling("." + target.getFileName() + ".replaced");
        FileTrees.delete(old);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(trained, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(old);
    }

    private static String minutes(Duration d) {
        double m = d.toMillis() / 60_000.0;
        return m == Math.rint(m) ? Long.toString((long) m) : String.format(Locale.ROOT, "%.1f", m);
    }

    /**
     * What the base options mean: a checkpoint directory (or the name trellis-base), else the tiny model when
     * asked to train from scratch (or when this build carries no shipped base), else the shipped pretrained base.
     */
    public static String baseName(Path base, boolean fromScratch) {
        if (base != null) {
            return base.toString();
        }
        return fromScratch || !ShippedBase.available() ? BuiltInModel.TRELLIS_TINY.id() : ShippedBase.NAME;
    }

    /**
     * The seed the tiny model is initialised with: the untrained base of a checkpoint this command
     * wrote is {@code CausalLM.create(its config, TINY_SEED)}, which is how evaluations rebuild it.
     */
    public static final long TINY_SEED = 42;
}
