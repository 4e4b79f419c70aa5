package dev.trellis.samples.finetune;

import dev.trellis.framework.io.FileTrees;
import ai.djl.engine.Engine;
import dev.trellis.finetune.BuiltInModel;
import dev.trellis.finetune.ModelRunner;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.train.TrainOutput;
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
                "Without --base the built-in trellis-tiny GPT-NeoX (0.8M parameters besides the embeddings) and a BPE"
                        + " tokenizer are built from the data and trained from scratch at a constant learning rate of 4e-3"
                        + " until --time-limit: about ten minutes on 2 CPU cores, and it answers only as well as a model"
                        + " that small can. With --base: one epoch at 5e-5, decaying linearly."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune train --time-limit 3",
                "  trellis finetune train --base ~/models/pythia-70m --data my_qa.jsonl --learning-rate 1e-5 --output /tmp/pythia-qa"})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE",
            description = "Question/answer examples as JSONL, a JSON array or CSV (default: the bundled docs_qa.jsonl).")
    Path data;

    @Option(names = "--base", paramLabel = "DIR",
            description = "A Hugging Face checkpoint to start from (Pythia, GPT-2, Llama family). Default: a new tiny model.")
    Path base;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Checkpoint directory to write (default: $TRELLIS_HOME/models/default, the model every command uses).")
    Path output;

    @Option(names = "--max-steps", paramLabel = "N",
            description = "Stop after this many optimizer steps (default: the epochs or the time limit, whichever ends first).")
    Integer maxSteps;

    @Option(names = "--time-limit", defaultValue = "10", paramLabel = "MINUTES",
            description = "Stop training after this many minutes; the model is still saved (default: ${DEFAULT-VALUE}).")
    double timeLimitMinutes;

    @Option(names = "--batch-size", defaultValue = "8", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", paramLabel = "RATE",
            description = "Peak learning rate (default: 4e-3 for the tiny model, 5e-5 for a pretrained --base).")
    Double learningRate;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (!(timeLimitMinutes > 0)) {
            throw new IllegalArgumentException("--time-limit " + timeLimitMinutes + ": give a positive number of minutes");
        }
        Path file = data != null ? data : SampleData.file(SampleData.DOCS_QA);
        Path dir = output != null ? output : TrellisHome.models().resolve("default");
        // checked before the first step: the run's scratch directory goes beside the output
        OutputDirectory.requireWritable(dir, "--output", true);
        TrainOutput result = train(file, base, dir, maxSteps, batchSize, learningRate,
                Duration.ofMillis((long) (timeLimitMinutes * 60_000)), List.of(), out);
        out.println("Checkpoint: " + result.outputDir() + "  (chat with it: trellis chat --model " + result.outputDir() + ")");
        return 0;
    }

    /**
     * The training run behind this command, shared with {@code trellis quickstart}: a {@link ModelRunner}
     * over {@code file} (split by its {@code split} field, else 90/10) from {@code base}, or from the
     * built-in tiny model when it is null, trained with the runner's defaults adjusted by the non-null
     * arguments, until its epochs, {@code maxSteps} or {@code timeLimit} end; the checkpoint goes to {@code dir}.
     */
    public static TrainOutput train(Path file, Path base, Path dir, Integer maxSteps, int batchSize, Double learningRate,
                                    Duration timeLimit, List<TrainerCallback> callbacks, PrintStream out) throws IOException {
        if (base != null) {
            CheckpointEvaluation.requireCheckpoint(base, "--base");
        }
        Path target = dir.toAbsolutePath();
        Files.createDirectories(target.getParent());
        // The runner's scratch (the tokenizer and initial weights of a new model) sits next to the output.
        Path runDir = Files.createTempDirectory(target.getParent(), ".trellis-train-");
        ModelRunner.Builder builder = ModelRunner.builder()
                .baseModel(base != null ? base.toString() : BuiltInModel.TRELLIS_TINY.id())
                .runDir(runDir)
                .seed(TINY_SEED)
                .trainingTimeLimit(timeLimit)
                .trainingArguments(a -> {
                    a.outputDir(target).overwriteOutputDir(true).perDeviceTrainBatchSize(batchSize);
                    if (maxSteps != null) {
                        a.maxSteps(maxSteps);
                    }
                    return learningRate != null ? a.learningRate(learningRate) : a;
                });
        callbacks.forEach(builder::callback);
        try (ModelRunner runner = builder.build()) {
            runner.loadData(InstructionDataset.load(file));
            out.println("Training " + runner.baseModel() + " on " + runner.data().train().size() + " examples of "
                    + file.getFileName() + " (" + runner.data().test().size() + " held out), device "
                    + Engine.getInstance().defaultDevice());
            TrainOutput result = runner.train();
            out.printf(Locale.ROOT, "Trained %d steps, final training loss %.4f%n", result.globalStep(), result.trainingLoss());
            out.println("Evaluation on the held-out examples: " + runner.evalMetrics());
            return result;
        } finally {
            FileTrees.delete(runDir);
        }
    }

    /**
     * The seed the tiny model is initialised with: the untrained base of a checkpoint this command
     * wrote is {@code CausalLM.create(its config, TINY_SEED)}, which is how evaluations rebuild it.
     */
    public static final long TINY_SEED = 42;
}
