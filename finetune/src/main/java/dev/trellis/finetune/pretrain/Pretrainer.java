package dev.trellis.finetune.pretrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.train.IntervalStrategy;
import dev.trellis.finetune.train.LossPlot;
import dev.trellis.finetune.train.SchedulerType;
import dev.trellis.finetune.train.TimeLimitCallback;
import dev.trellis.finetune.train.TrainOutput;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.finetune.train.TrainerState;
import dev.trellis.finetune.train.TrainingArguments;
import dev.trellis.finetune.train.TrainingConfigException;
import dev.trellis.framework.io.AtomicFiles;
import dev.trellis.framework.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pretrains a base model from scratch on the {@link ReadingCorpus}, as nanoGPT would: trains a BPE
 * tokenizer on a sample of the corpus, sizes the run to the time limit by timing a few steps, groups
 * the corpus into length-sorted batches in curriculum order ({@link GroupedCorpus}), trains with AdamW (warmup, a constant rate, then a linear
 * decay to zero over the last fifth of the time budget or of the planned steps, whichever comes first) and
 * checkpoints every few minutes, so {@code resume(true)} continues a stopped run exactly where its
 * last checkpoint left it.
 *
 * <p>The output directory holds {@code plan.json} (everything that fixes the run: seed, shape, steps,
 * so a resumed run rebuilds the same corpus), {@code tokenizer/}, {@code train/} (the trainer's
 * checkpoints, {@code metrics.jsonl} and the final float32 weights) and {@code model/}: the base in
 * float16 with {@code trellis.json} recording its provenance (command, seed, steps, tokens, wall time,
 * corpus hash, final train and held-out loss) and {@code loss.png}.
 */
public final class Pretrainer {

    private static final Logger LOG = LoggerFactory.getLogger(Pretrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The plan file in the output directory. */
    public static final String PLAN = "plan.json";
    /** Offset from the training seed to the held-out corpus's seed: different records, same kinds. */
    public static final long HELD_OUT_SEED_OFFSET = 1_000_003L;
    /** Documents per held-out batch. */
    public static final int HELD_OUT_BATCH = 8;

    /** The held-out corpus of a run of {@code seed}: other records, the same kinds, the same curriculum shares. */
    public static GroupedCorpus heldOut(long seed, int batches, int maxLength, dev.trellis.finetune.tokenizer.TrellisTokenizer tokenizer) {
        return heldOut(seed, ReadingCorpus.VERSION, batches, maxLength, tokenizer);
    }

    /** The same from version {@code version} of the corpus ({@code corpus_version} in a base's trellis.json; 1 when absent). */
    public static GroupedCorpus heldOut(long seed, int version, int batches, int maxLength,
                                        dev.trellis.finetune.tokenizer.TrellisTokenizer tokenizer) {
        return GroupedCorpus.build(seed + HELD_OUT_SEED_OFFSET, version, batches, HELD_OUT_BATCH, maxLength, tokenizer);
    }

    /** Steps timed to plan a run's step count. */
    static final int CALIBRATION_STEPS = 11;
    /** Batches in the pool those steps are picked from, so they are grouped by length as a run's are. */
    static final int CALIBRATION_POOL_BATCHES = 220;

    /** The share of the budget (time or steps, whichever ends first) over which the rate falls to zero. */
    static final double DECAY_FRACTION = 0.2;

    private final Builder b;

    private Pretrainer(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What a run produced. */
    public record Result(Path model, int steps, long tokens, double trainLoss, double heldOutLoss, double wallSeconds,
                         String corpusSha256) {
    }

    /** Runs (or resumes) pretraining and writes {@code model/}. */
    public Result run() {
        Path out = b.outputDir;
        Map<String, Object> plan = b.resume && Files.isRegularFile(out.resolve(PLAN)) ? readPlan(out) : newPlan(out);
        long seed = ((Number) plan.get("seed")).longValue();
        int maxSteps = ((Number) plan.get("max_steps")).intValue();
        int batch = ((Number) plan.get("batch_size")).intValue();
        int maxLength = ((Number) plan.get("max_length")).intValue();
        BaseShape shape = BaseShape.named((String) plan.get("shape"));
        // a plan from before corpus versions was written with version 1
        int corpusVersion = ((Number) plan.getOrDefault("corpus_version", 1)).intValue();
        long[] started = {System.nanoTime()};
        // wall time and the commands that ran are recorded at every checkpoint, so a run stopped and resumed
        // still reports all of its time and how it was made
        double[] wallSoFar = {((Number) plan.getOrDefault("wall_seconds", 0.0)).doubleValue()};
        if (b.resume) {
            plan.put("resumed_with", String.valueOf(plan.getOrDefault("resumed_with", "")).isEmpty() ? b.command
                    : plan.get("resumed_with") + "; " + b.command);
        }
        b.callbacks.add(new TrainerCallback() {
            @Override
            public void onSave(TrainingArguments args, TrainerState state, Path checkpoint) {
                long now = System.nanoTime();
                wallSoFar[0] += (now - started[0]) / 1e9;
                started[0] = now;
                plan.put("wall_seconds", wallSoFar[0]);
                plan.put("steps_saved", state.globalStep());
                writePlan(out, plan);
            }
        });
        try (HfTokenizer tokenizer = HfTokenizer.load(out.resolve("tokenizer"))) {
            LOG.info("building the reading corpus: {} batches of {} documents (seed {})", maxSteps, batch, seed);
            GroupedCorpus corpus = GroupedCorpus.build(seed, corpusVersion, maxSteps, batch, maxLength, tokenizer);
            GroupedCorpus heldOut = heldOut(seed, corpusVersion, b.heldOutBatches, maxLength, tokenizer);
            LOG.info("corpus: {} documents, sha256 {}", corpus.documents(), corpus.sha256());
            int eos = tokenizer.eosTokenId();
            Object parent = plan.get("init_from");
            // a continued base starts from its parent's weights (a resume then restores its own checkpoint over them)
            try (CausalLM model = parent != null ? CausalLM.load(Path.of(parent.toString()))
                    : CausalLM.create(shape.config(tokenizer.vocabSize(), eos, eos), seed)) {
                TrainOutput result = train(model, tokenizer, corpus.examples(), heldOut.examples(), plan);
                double wall = wallSoFar[0] + (System.nanoTime() - started[0]) / 1e9;
                plan.put("wall_seconds", wall);
                writePlan(out, plan);
                return export(model, tokenizer, result, plan, corpus, wall);
            }
        }
    }

    private TrainOutput train(CausalLM model, HfTokenizer tokenizer, TokenizedDataset documents, TokenizedDataset heldOut,
                              Map<String, Object> plan) {
        int maxSteps = ((Number) plan.get("max_steps")).intValue();
        int saveSteps = ((Number) plan.get("save_steps")).intValue();
        TrainingArguments args = TrainingArguments.builder()
                .outputDir(b.outputDir.resolve("train"))
                .learningRate(((Number) plan.get("learning_rate")).doubleValue())
                .warmupSteps(((Number) plan.get("warmup_steps")).intValue())
                .lrSchedulerType(SchedulerType.CONSTANT) // after warmup; the time budget's callback anneals the end
                .maxSteps(maxSteps)
                .perDeviceTrainBatchSize(((Number) plan.get("batch_size")).intValue())
                .perDeviceEvalBatchSize(HELD_OUT_BATCH)
                .weightDecay(0.1)
                .adamBeta2(0.95)
                .maxGradNorm(1.0)
                .loggingSteps(b.loggingSteps)
                .evalStrategy(IntervalStrategy.STEPS)
                .evalSteps(saveSteps)
                .saveStrategy(IntervalStrategy.STEPS)
                .saveSteps(saveSteps)
                .saveTotalLimit(2)
                .seed(((Number) plan.get("seed")).longValue())
                .shuffleTrainData(false) // the curriculum's order
                .disableTqdm(b.disableProgressBar)
                .resumeFromCheckpoint(b.resume ? "latest" : null)
                .overwriteOutputDir(!b.resume)
                .build();
        Trainer.Builder trainer = Trainer.builder().model(model).args(args).trainDataset(documents).evalDataset(heldOut)
                .tokenizer(tokenizer).template(ReadingCorpus.TEMPLATE).baseModel("scratch:" + plan.get("shape"));
        b.callbacks.forEach(trainer::callback);
        trainer.callback(new TimeLimitCallback(b.timeLimit != null ? b.timeLimit : Duration.ofDays(365), DECAY_FRACTION));
        Trainer built = trainer.build();
        TrainOutput out = built.train();
        // the held-out loss of the weights that are exported, not of the last periodic evaluation
        double heldOutLoss = ((Number) built.evaluate().get("eval_loss")).doubleValue();
        plan.put("final_held_out_loss", heldOutLoss);
        return out;
    }

    private Result export(CausalLM model, HfTokenizer tokenizer, TrainOutput result, Map<String, Object> plan,
                          GroupedCorpus corpus, double wall) {
        Path dir = b.outputDir.resolve("model");
        Path tmp = b.outputDir.resolve("model.tmp");
        try {
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            model.saveFloat16(tmp);
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                Path src = b.outputDir.resolve("tokenizer").resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, tmp.resolve(f));
                }
            }
            List<Map<String, Object>> log = readMetrics(b.outputDir.resolve("train").resolve("metrics.jsonl"));
            double trainLoss = lastValue(log, "loss");
            double heldOutLoss = ((Number) plan.get("final_held_out_loss")).doubleValue();
            int batch = ((Number) plan.get("batch_size")).intValue();
            long tokens = corpus.tokens(result.globalStep() * batch);
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("kind", "pretraining");
            training.put("command", plan.get("command")
                    + (plan.get("resumed_with") != null ? "; resumed with: " + plan.get("resumed_with") : ""));
            training.put("corpus", "dev.trellis.finetune.pretrain.ReadingCorpus");
            training.put("corpus_sha256", corpus.sha256());
            training.put("corpus_version", ((Number) plan.getOrDefault("corpus_version", 1)).intValue());
            training.put("corpus_documents", corpus.documents());
            training.put("seed", plan.get("seed"));
            training.put("shape", plan.get("shape"));
            training.put("parameters", model.numParameters());
            training.put("steps", result.globalStep());
            training.put("planned_steps", plan.get("max_steps"));
            training.put("tokens", tokens);
            training.put("batch_size", batch);
            training.put("max_length", plan.get("max_length"));
            training.put("held_out_batches", plan.get("held_out_batches"));
            training.put("loss", "reading, copying and grading documents from the question on; prose whole");
            training.put("learning_rate", plan.get("learning_rate"));
            training.put("wall_seconds", Math.round(wall));
            training.put("final_train_loss", trainLoss);
            training.put("final_held_out_loss", heldOutLoss);
            training.put("dtype", "float16");
            if (plan.get("init_from") != null) {
                // continued from another base: its provenance, and the totals over both runs
                Map<String, Object> parent = TrellisManifest.read(Path.of(plan.get("init_from").toString())).training();
                training.put("init_from", parent);
                training.put("total_steps", result.globalStep() + ((Number) parent.getOrDefault("total_steps",
                        parent.getOrDefault("steps", 0))).longValue());
                training.put("total_tokens", tokens + ((Number) parent.getOrDefault("total_tokens",
                        parent.getOrDefault("tokens", 0))).longValue());
                training.put("total_wall_seconds", Math.round(wall) + ((Number) parent.getOrDefault("total_wall_seconds",
                        parent.getOrDefault("wall_seconds", 0))).longValue());
            }
            new TrellisManifest(ReadingCorpus.TEMPLATE, "scratch:" + plan.get("shape"), training).write(tmp);
            LossPlot.write(log, "pretraining loss — step " + result.globalStep(), tmp.resolve(LossPlot.FILE));
            FileTrees.delete(dir);
            Files.move(tmp, dir);
            LOG.info("base written to {}: {} steps, {} tokens, train loss {}, held-out loss {}, {} s", dir,
                    result.globalStep(), tokens, trainLoss, heldOutLoss, Math.round(wall));
            return new Result(dir, result.globalStep(), tokens, trainLoss, heldOutLoss, wall, corpus.sha256());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the base into " + dir + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> newPlan(Path out) {
        try {
            if (Files.isDirectory(out)) {
                try (Stream<Path> s = Files.list(out)) {
                    boolean empty = s.findAny().isEmpty();
                    if (!empty && !b.overwrite) {
                        String what = Files.isRegularFile(out.resolve(PLAN)) ? "an earlier pretraining run (pass --resume to continue it)"
                                : Files.isRegularFile(out.resolve("config.json")) ? "another model" : "other files";
                        throw new TrainingConfigException("outputDir", out + " holds " + what
                                + "; choose another --output, or pass --overwrite to replace it");
                    }
                }
                FileTrees.delete(out);
            }
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pretraining output " + out + " (--output): " + e.getMessage(), e);
        }
        Path tokDir = out.resolve("tokenizer");
        if (b.initFrom != null) {
            copyTokenizer(b.initFrom, tokDir); // the parent's embeddings are rows of its tokenizer's ids
        } else {
            LOG.info("training a {}-token BPE tokenizer on {} corpus documents", b.shape.vocabSize(), b.tokenizerDocuments);
            ReadingCorpus sample = new ReadingCorpus(b.seed ^ 0x5DEECE66DL);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < b.tokenizerDocuments; i++) {
                texts.add(i % 4 == 3 ? sample.prose() : sample.nextDocument(8));
            }
            // whitespace apart: a value copied from a context into an answer keeps its token ids
            BpeTrainer.builder().vocabSize(b.shape.vocabSize()).isolatedSpaces(true).build().train(texts).save(tokDir);
        }
        int maxSteps = b.maxSteps;
        if (maxSteps <= 0) {
            double stepSeconds = measureStepSeconds(tokDir);
            maxSteps = Math.max(1, (int) (b.timeLimit.toSeconds() * 1.25 / stepSeconds)); // the clock usually ends it first
            LOG.info("one step of {} documents takes {} s here: planning {} steps for {}", b.batchSize,
                    String.format("%.3f", stepSeconds), maxSteps, b.timeLimit);
        }
        int saveSteps = b.saveSteps > 0 ? b.saveSteps : Math.max(1, maxSteps / 24);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("seed", b.seed);
        plan.put("corpus_version", ReadingCorpus.VERSION);
        plan.put("shape", b.shape.id());
        plan.put("max_steps", maxSteps);
        plan.put("save_steps", saveSteps);
        plan.put("batch_size", b.batchSize);
        plan.put("max_length", b.maxLength);
        plan.put("held_out_batches", b.heldOutBatches);
        plan.put("learning_rate", b.learningRate);
        plan.put("warmup_steps", Math.min(b.warmupSteps, Math.max(1, maxSteps / 10)));
        plan.put("time_limit_seconds", b.timeLimit == null ? null : b.timeLimit.toSeconds());
        plan.put("command", b.command);
        if (b.initFrom != null) {
            plan.put("init_from", b.initFrom.toAbsolutePath().toString());
        }
        writePlan(out, plan);
        return plan;
    }

    private static void copyTokenizer(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                if (Files.isRegularFile(from.resolve(f))) {
                    Files.copy(from.resolve(f), to.resolve(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the tokenizer of " + from + " (--init-from): " + e.getMessage(), e);
        }
    }

    /**
     * Times training steps of this shape on batches picked evenly from a run-sized corpus, so every curriculum
     * stage is in its share (the stages' documents differ fourfold in length) and batches are as length-grouped
     * as a run's; the step budget then fits the time limit. The picked batches are trained through twice and
     * only the second pass is timed: a fresh process's first steps run slower than the steady rate.
     */
    private double measureStepSeconds(Path tokDir) {
        try (HfTokenizer tokenizer = HfTokenizer.load(tokDir)) {
            int eos = tokenizer.eosTokenId();
            int steps = CALIBRATION_STEPS;
            // Batches are cut from length-sorted pools: a corpus of only `steps` batches would pad each to the
            // longest of a wide spread (planned 2.8x too few steps). Cut a run-sized pool, time evenly spaced batches.
            int pool = CALIBRATION_POOL_BATCHES;
            GroupedCorpus corpus = GroupedCorpus.build(b.seed, pool, b.batchSize, b.maxLength, tokenizer);
            List<TokenizedExample> picked = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                int from = (int) ((i + 0.5) * pool / steps) * b.batchSize;
                picked.addAll(corpus.examples().examples().subList(from, from + b.batchSize));
            }
            TokenizedDataset probe = new TokenizedDataset(picked, corpus.examples().padTokenId(), corpus.examples().summary(),
                    List.of());
            Path dir = b.outputDir.resolve("calibration");
            long[] marks = new long[2 * steps + 1];
            try (CausalLM model = CausalLM.create(b.shape.config(tokenizer.vocabSize(), eos, eos), b.seed)) {
                TrainingArguments args = TrainingArguments.builder().outputDir(dir).maxSteps(2 * steps).shuffleTrainData(false)
                        .perDeviceTrainBatchSize(b.batchSize).learningRate(b.learningRate).saveStrategy(IntervalStrategy.NO)
                        .loggingStrategy(IntervalStrategy.NO).disableTqdm(true).overwriteOutputDir(true).build();
                Trainer.builder().model(model).args(args).trainDataset(probe).tokenizer(tokenizer)
                        .callback(new TrainerCallback() {
                            @Override
                            public void onStepEnd(TrainingArguments a, TrainerState s) {
                                marks[s.globalStep()] = System.nanoTime();
                            }
                        }).build().train();
            }
            FileTrees.delete(dir);
            // the second pass: warm, in stage order, so its mean is the run's
            return (marks[2 * steps] - marks[steps]) / (steps * 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> readPlan(Path out) {
        try {
            return JSON.readValue(out.resolve(PLAN).toFile(), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(out.resolve(PLAN) + " cannot be read (" + e.getMessage()
                    + "); start a new run with --overwrite", e);
        }
    }

    private static void writePlan(Path out, Map<String, Object> plan) {
        try {
            AtomicFiles.write(out.resolve(PLAN), JSON.writeValueAsBytes(plan));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map<String, Object>> readMetrics(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { }));
                }
            }
        }
        return out;
    }

    private static double lastValue(List<Map<String, Object>> log, String key) {
        for (int i = log.size() - 1; i >= 0; i--) {
            Object v = log.get(i).get(key);
            if (v instanceof Number n) {
                return n.doubleValue();
            }
        }
        return Double.NaN;
    }

    /** Options of a run; the output directory and a time limit (or a step count) are required. */
    public static final class Builder {
        private Path outputDir;
        private BaseShape shape = BaseShape.BASE;
        private long seed = 20261204L;
        private Duration timeLimit;
        private int maxSteps;
        private int saveSteps;
        private int batchSize = 32;
        private int maxLength = 512;
        private double learningRate = 1e-3;
        private int warmupSteps = 200;
        private int heldOutBatches = 24;
        private int loggingSteps = 10;
        private int tokenizerDocuments = 6000;
        private boolean resume;
        private boolean overwrite;
        private Path initFrom;
        private boolean disableProgressBar;
        private String command = "";
        private final List<TrainerCallback> callbacks = new ArrayList<>();

        public Builder outputDir(Path v) { this.outputDir = v; return this; }
        public Builder shape(BaseShape v) { this.shape = Objects.requireNonNull(v, "shape"); return this; }
        public Builder seed(long v) { this.seed = v; return this; }
        /** Wall-clock budget; the step count is planned from it unless {@link #maxSteps} is given. */
        public Builder timeLimit(Duration v) { this.timeLimit = v; return this; }
        public Builder maxSteps(int v) { this.maxSteps = v; return this; }
        /** Checkpoint (and held-out evaluation) interval; default a 24th of the run, about every 5 minutes of a 2-hour run. */
        public Builder saveSteps(int v) { this.saveSteps = v; return this; }
        public Builder batchSize(int v) { this.batchSize = v; return this; }
        /** Longest document in tokens; longer ones are left out. */
        public Builder maxLength(int v) { this.maxLength = v; return this; }
        public Builder learningRate(double v) { this.learningRate = v; return this; }
        public Builder warmupSteps(int v) { this.warmupSteps = v; return this; }
        /** Batches of 8 documents from a corpus of another seed, for the held-out loss. */
        public Builder heldOutBatches(int v) { this.heldOutBatches = v; return this; }
        /** Steps per line of {@code metrics.jsonl} (default 10). */
        public Builder loggingSteps(int v) { this.loggingSteps = v; return this; }
        public Builder tokenizerDocuments(int v) { this.tokenizerDocuments = v; return this; }
        /**
         * Start from this base's weights and tokenizer instead of random ones (nanoGPT's {@code init_from}): a new
         * run, with its own plan, seed and corpus, that continues training a base {@code trellis finetune pretrain}
         * made. Its {@code trellis.json} nests the parent's provenance and adds the totals.
         */
        public Builder initFrom(Path v) { this.initFrom = v; return this; }
        /** Continue the run in the output directory from its latest checkpoint. */
        public Builder resume(boolean v) { this.resume = v; return this; }
        /** Replace whatever the output directory holds. */
        public Builder overwrite(boolean v) { this.overwrite = v; return this; }
        public Builder disableProgressBar(boolean v) { this.disableProgressBar = v; return this; }
        /** The command line, recorded in the base's provenance. */
        public Builder command(String v) { this.command = Objects.requireNonNull(v, "command"); return this; }
        public Builder callback(TrainerCallback c) { this.callbacks.add(Objects.requireNonNull(c, "callback")); return this; }

        /** Checks every option before any work; the messages name the command-line flag. */
        public Pretrainer build() {
            if (outputDir == null) {
                throw new TrainingConfigException("outputDir", "pretraining needs an output directory (--output)");
            }
            if (timeLimit != null && (timeLimit.isZero() || timeLimit.isNegative())) {
                throw new TrainingConfigException("timeLimit", "the time limit must be positive, got " + timeLimit
                        + "; pass --time-limit, e.g. 120m");
            }
            if (timeLimit == null && maxSteps <= 0 && !resume) {
                throw new TrainingConfigException("timeLimit", "pass --time-limit (e.g. 120m) or --max-steps");
            }
            if (maxSteps < 0) {
                throw new TrainingConfigException("maxSteps", "--max-steps must be positive, got " + maxSteps);
            }
            if (batchSize < 1 || maxLength < 64 || maxLength > shape.config(shape.vocabSize(), 0, 0).maxPositionEmbeddings()) {
                throw new TrainingConfigException("maxLength", "--batch-size must be >= 1 and --max-length between 64 and "
                        + shape.config(shape.vocabSize(), 0, 0).maxPositionEmbeddings() + "; got " + batchSize + " and " + maxLength);
            }
            if (tokenizerDocuments < 100) {
                throw new TrainingConfigException("tokenizerDocuments", "the tokenizer needs at least 100 corpus documents; got "
                        + tokenizerDocuments);
            }
            if (heldOutBatches < 1) {
                throw new TrainingConfigException("heldOutBatches", "--held-out-batches must be >= 1; got " + heldOutBatches);
            }
            if (initFrom != null && !resume) {
                checkParent(initFrom, shape);
            }
            if (resume && overwrite) {
                throw new TrainingConfigException("resume", "--resume continues the run in --output, --overwrite replaces it; pass one");
            }
            return new Pretrainer(this);
        }

        /** A base to continue must be one this command made, of the shape asked for. */
        private static void checkParent(Path dir, BaseShape shape) {
            if (!Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
                throw new TrainingConfigException("initFrom", dir + " is not a checkpoint with a tokenizer (config.json,"
                        + " tokenizer.json); pass a base directory `trellis finetune pretrain` wrote (its model/) to --init-from");
            }
            Object kind = TrellisManifest.read(dir).training().get("kind");
            if (!"pretraining".equals(kind)) {
                throw new TrainingConfigException("initFrom", dir + " was not made by `trellis finetune pretrain` (its trellis.json says "
                        + (kind == null ? "nothing of its training" : "kind " + kind) + "); --init-from continues such a base");
            }
            dev.trellis.finetune.model.ModelConfig have = dev.trellis.finetune.model.ModelConfig.read(dir.resolve("config.json"));
            dev.trellis.finetune.model.ModelConfig want = shape.config(have.vocabSize(), 0, 0);
            if (have.hiddenSize() != want.hiddenSize() || have.numHiddenLayers() != want.numHiddenLayers()) {
                throw new TrainingConfigException("initFrom", dir + " is d" + have.hiddenSize() + " x " + have.numHiddenLayers()
                        + " layers, not the shape " + shape.id() + " (d" + want.hiddenSize() + " x " + want.numHiddenLayers()
                        + "); pass the --shape it was pretrained at");
            }
        }
    }

}
