package dev.trellis.samples.finetune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.trellis.finetune.data.DatasetSplit;
import dev.trellis.finetune.data.DatasetTokenizer;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.PromptCompletion;
import dev.trellis.finetune.data.Side;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.train.TrainOutput;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.finetune.train.TrainingArguments;
import dev.trellis.samples.SampleData;
import dev.trellis.samples.TrellisHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The course's training step: a base model, the prepared data, a Trainer. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Finetune a causal language model on question/answer data and write a checkpoint"
                + " (config.json, model.safetensors, tokenizer.json, trellis.json, metrics.jsonl, loss.png).",
                "Without --base a tiny GPT-NeoX model and a BPE tokenizer are built from the data: it trains in"
                        + " minutes on a CPU, and answers only as well as a few million parameters can."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune train --max-steps 200",
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

    @Option(names = "--max-steps", defaultValue = "300", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "1e-3",
            description = "Peak learning rate; use about 1e-5 for a pretrained --base (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--max-length", defaultValue = "256", description = "Longest sequence in tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path file = data != null ? data : SampleData.file(SampleData.DOCS_QA);
        Path dir = output != null ? output : TrellisHome.models().resolve("default");
        TrainOutput result = train(file, base, dir, maxSteps, batchSize, learningRate, maxLength, List.of(), out);
        out.println("Checkpoint: " + result.outputDir() + "  (chat with it: trellis chat --model " + result.outputDir() + ")");
        return 0;
    }

    /**
     * The training run behind this command, shared with {@code trellis quickstart}: splits {@code file}
     * (by its {@code split} field, else 90/10), builds a tiny GPT-NeoX and a BPE tokenizer from the data
     * unless {@code base} is given, trains for {@code maxSteps} (or until a callback stops it) and writes
     * the checkpoint into {@code dir}.
     */
    public static TrainOutput train(Path file, Path base, Path dir, int maxSteps, int batchSize, double learningRate,
                                    int maxLength, List<TrainerCallback> callbacks, PrintStream out) throws java.io.IOException {
        InstructionDataset dataset = InstructionDataset.load(file);
        DatasetSplit split = dataset.examples().get(0).field("split") != null
                ? dataset.splitByField("split") : dataset.trainTestSplit(0.1, 123);
        InstructionTemplate template = InstructionTemplate.QUESTION_ANSWER;
        Device device = Engine.getInstance().defaultDevice();
        out.println("Training on " + split.train().size() + " examples, evaluating on " + split.test().size()
                + ", device " + device);

        // A new model gets a tokenizer trained on the data; the trainer saves it into the checkpoint.
        Path tokenizerDir = base != null ? base : Files.createTempDirectory("trellis-tokenizer");
        if (base == null) {
            List<String> texts = split.train().hydrate(template).stream().map(PromptCompletion::text).toList();
            BpeTrainer.builder().vocabSize(4096).build().train(texts).save(tokenizerDir);
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            DatasetTokenizer datasetTokenizer = DatasetTokenizer.builder().tokenizer(tokenizer).template(template)
                    .maxLength(maxLength).truncationSide(Side.LEFT).build();
            TokenizedDataset train = datasetTokenizer.tokenize(split.train());
            TokenizedDataset test = datasetTokenizer.tokenize(split.test());

            try (CausalLM model = base != null ? CausalLM.load(base, device)
                    : CausalLM.create(ModelConfig.fromMap(tinyConfig(tokenizer)), TINY_SEED, device)) {
                var args = TrainingArguments.builder()
                        .outputDir(dir)
                        .overwriteOutputDir(true)
                        .maxSteps(maxSteps)
                        .perDeviceTrainBatchSize(batchSize)
                        .learningRate(learningRate)
                        .build();
                var builder = Trainer.builder()
                        .model(model)
                        .tokenizer(tokenizer)
                        .template(template)
                        .baseModel(base != null ? base.toString() : "trellis-tiny")
                        .trainDataset(train)
                        .evalDataset(test)
                        .args(args);
                callbacks.forEach(builder::callback);
                Trainer trainer = builder.build();
                TrainOutput result = trainer.train();
                out.printf("Trained %d steps, final training loss %.4f%n", result.globalStep(), result.trainingLoss());
                out.println("Evaluation: " + trainer.evaluate());
                return result;
            }
        } finally {
            if (base == null) {
                deleteTree(tokenizerDir);
            }
        }
    }

    /**
     * The seed the tiny model is initialised with: the untrained base of a checkpoint this command
     * wrote is {@code CausalLM.create(its config, TINY_SEED)}, which is how evaluations rebuild it.
     */
    public static final long TINY_SEED = 42;

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A 4-layer GPT-NeoX of about 5M parameters sized to the tokenizer. */
    private static Map<String, Object> tinyConfig(HfTokenizer tokenizer) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model_type", "gpt_neox");
        cfg.put("vocab_size", tokenizer.vocabSize());
        cfg.put("hidden_size", 256);
        cfg.put("num_hidden_layers", 4);
        cfg.put("num_attention_heads", 4);
        cfg.put("intermediate_size", 1024);
        cfg.put("max_position_embeddings", 2048); // rotary positions: a long context costs nothing until used
        cfg.put("eos_token_id", tokenizer.eosTokenId());
        cfg.put("bos_token_id", tokenizer.eosTokenId());
        return cfg;
    }
}
