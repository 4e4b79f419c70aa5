package dev.trellis.finetune.train;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What and how to train: Hugging Face's {@code TrainingArguments}, same names and meanings, Java-cased.
 *
 * <pre>{@code
 * TrainingArguments args = TrainingArguments.builder()
 *         .outputDir(Path.of("lamini_docs_3_steps"))
 *         .learningRate(1e-5).maxSteps(3).perDeviceTrainBatchSize(1)
 *         .warmupSteps(1).gradientAccumulationSteps(4).optim(OptimizerType.ADAFACTOR)
 *         .evalStrategy(IntervalStrategy.STEPS).evalSteps(120).saveSteps(120)
 *         .loadBestModelAtEnd(true).metricForBestModel("eval_loss").greaterIsBetter(false).saveTotalLimit(1)
 *         .build();
 * }</pre>
 *
 * <p>Everything that can be checked without the data is checked by {@link Builder#build()}; the
 * {@link Trainer} checks the rest (batch size against the dataset, the output directory) before
 * the first step.
 */
public final class TrainingArguments {

    private final Path outputDir;
    private final boolean overwriteOutputDir;
    private final double learningRate;
    private final double numTrainEpochs;
    private final int maxSteps;
    private final int perDeviceTrainBatchSize;
    private final int perDeviceEvalBatchSize;
    private final int gradientAccumulationSteps;
    private final int warmupSteps;
    private final SchedulerType lrSchedulerType;
    private final double weightDecay;
    private final double maxGradNorm;
    private final OptimizerType optim;
    private final double adamBeta1;
    private final double adamBeta2;
    private final double adamEpsilon;
    private final IntervalStrategy loggingStrategy;
    private final int loggingSteps;
    private final IntervalStrategy evalStrategy;
    private final int evalSteps;
    private final IntervalStrategy saveStrategy;
    private final int saveSteps;
    private final double saveMinutes;
    private final Integer saveTotalLimit;
    private final boolean loadBestModelAtEnd;
    private final String metricForBestModel;
    private final Boolean greaterIsBetter;
    private final Integer earlyStoppingPatience;
    private final long seed;
    private final String resumeFromCheckpoint;
    private final boolean disableTqdm;
    private final boolean shuffleTrainData;
    private final boolean groupByLength;
    private final Boolean fp16;
    private final double fp16InitScale;
    private final int fp16GrowthInterval;

    private TrainingArguments(Builder b) {
        outputDir = b.outputDir;
        overwriteOutputDir = b.overwriteOutputDir;
        learningRate = b.learningRate;
        numTrainEpochs = b.numTrainEpochs;
        maxSteps = b.maxSteps;
        perDeviceTrainBatchSize = b.perDeviceTrainBatchSize;
        perDeviceEvalBatchSize = b.perDeviceEvalBatchSize;
        gradientAccumulationSteps = b.gradientAccumulationSteps;
        warmupSteps = b.warmupSteps;
        lrSchedulerType = b.lrSchedulerType;
        weightDecay = b.weightDecay;
        maxGradNorm = b.maxGradNorm;
        optim = b.optim;
        adamBeta1 = b.adamBeta1;
        adamBeta2 = b.adamBeta2;
        adamEpsilon = b.adamEpsilon;
        loggingStrategy = b.loggingStrategy;
        loggingSteps = b.loggingSteps;
        evalStrategy = b.evalStrategy;
        evalSteps = b.evalSteps == null ? b.loggingSteps : b.evalSteps;
        saveStrategy = b.saveStrategy;
        saveSteps = b.saveSteps;
        saveMinutes = b.saveMinutes;
        saveTotalLimit = b.saveTotalLimit;
        loadBestModelAtEnd = b.loadBestModelAtEnd;
        metricForBestModel = b.metricForBestModel != null ? b.metricForBestModel
                : (b.loadBestModelAtEnd || b.earlyStoppingPatience != null) ? "eval_loss" : null;
        greaterIsBetter = b.greaterIsBetter != null ? b.greaterIsBetter
                : metricForBestModel == null ? null : !(metricForBestModel.equals("loss") || metricForBestModel.endsWith("_loss")
                        || metricForBestModel.equals("eval_loss"));
        earlyStoppingPatience = b.earlyStoppingPatience;
        seed = b.seed;
        resumeFromCheckpoint = b.resumeFromCheckpoint;
        disableTqdm = b.disableTqdm;
        shuffleTrainData = b.shuffleTrainData;
        groupByLength = b.groupByLength;
        fp16 = b.fp16;
        fp16InitScale = b.fp16InitScale;
        fp16GrowthInterval = b.fp16GrowthInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this object's values, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.outputDir = outputDir;
        b.overwriteOutputDir = overwriteOutputDir;
        b.learningRate = learningRate;
        b.numTrainEpochs = numTrainEpochs;
        b.maxSteps = maxSteps;
        b.perDeviceTrainBatchSize = perDeviceTrainBatchSize;
        b.perDeviceEvalBatchSize = perDeviceEvalBatchSize;
        b.gradientAccumulationSteps = gradientAccumulationSteps;
        b.warmupSteps = warmupSteps;
        b.lrSchedulerType = lrSchedulerType;
        b.weightDecay = weightDecay;
        b.maxGradNorm = maxGradNorm;
        b.optim = optim;
        b.adamBeta1 = adamBeta1;
        b.adamBeta2 = adamBeta2;
        b.adamEpsilon = adamEpsilon;
        b.loggingStrategy = loggingStrategy;
        b.loggingSteps = loggingSteps;
        b.evalStrategy = evalStrategy;
        b.evalSteps = evalSteps;
        b.saveStrategy = saveStrategy;
        b.saveSteps = saveSteps;
        b.saveMinutes = saveMinutes;
        b.saveTotalLimit = saveTotalLimit;
        b.loadBestModelAtEnd = loadBestModelAtEnd;
        b.metricForBestModel = metricForBestModel;
        b.greaterIsBetter = greaterIsBetter;
        b.earlyStoppingPatience = earlyStoppingPatience;
        b.seed = seed;
        b.resumeFromCheckpoint = resumeFromCheckpoint;
        b.disableTqdm = disableTqdm;
        b.shuffleTrainData = shuffleTrainData;
        b.groupByLength = groupByLength;
        b.fp16 = fp16;
        b.fp16InitScale = fp16InitScale;
        b.fp16GrowthInterval = fp16GrowthInterval;
        return b;
    }

    public Path outputDir() { return outputDir; }
    public boolean overwriteOutputDir() { return overwriteOutputDir; }
    public double learningRate() { return learningRate; }
    public double numTrainEpochs() { return numTrainEpochs; }
    /** Optimizer steps to run; a positive value overrides {@link #numTrainEpochs()}; -1 when unset. */
    public int maxSteps() { return maxSteps; }
    public int perDeviceTrainBatchSize() { return perDeviceTrainBatchSize; }
    public int perDeviceEvalBatchSize() { return perDeviceEvalBatchSize; }
    public int gradientAccumulationSteps() { return gradientAccumulationSteps; }
    public int warmupSteps() { return warmupSteps; }
    public SchedulerType lrSchedulerType() { return lrSchedulerType; }
    public double weightDecay() { return weightDecay; }
    /** Global L2 norm the gradients are clipped to; 0 turns clipping off. */
    public double maxGradNorm() { return maxGradNorm; }
    public OptimizerType optim() { return optim; }
    public double adamBeta1() { return adamBeta1; }
    public double adamBeta2() { return adamBeta2; }
    public double adamEpsilon() { return adamEpsilon; }
    public IntervalStrategy loggingStrategy() { return loggingStrategy; }
    public int loggingSteps() { return loggingSteps; }
    public IntervalStrategy evalStrategy() { return evalStrategy; }
    public int evalSteps() { return evalSteps; }
    public IntervalStrategy saveStrategy() { return saveStrategy; }
    public int saveSteps() { return saveSteps; }
    /** Also checkpoint once this many minutes have passed since the last checkpoint (0: only by the strategy). */
    public double saveMinutes() { return saveMinutes; }
    /** Most {@code checkpoint-*} directories kept (oldest deleted first, the best one kept); null keeps all. */
    public Integer saveTotalLimit() { return saveTotalLimit; }
    public boolean loadBestModelAtEnd() { return loadBestModelAtEnd; }
    /** The metric checkpoints are compared by, e.g. {@code eval_loss}; null when nothing compares them. */
    public String metricForBestModel() { return metricForBestModel; }
    public Boolean greaterIsBetter() { return greaterIsBetter; }
    /** Evaluations without improvement after which training stops; null never stops early. */
    public Integer earlyStoppingPatience() { return earlyStoppingPatience; }
    public long seed() { return seed; }
    /** A checkpoint directory, {@code "latest"} (the newest {@code checkpoint-*} in the output directory, if any), or null. */
    public String resumeFromCheckpoint() { return resumeFromCheckpoint; }
    /** True turns the progress bar off (plain log lines only), as Hugging Face's {@code disable_tqdm}. */
    public boolean disableTqdm() { return disableTqdm; }
    /** Whether each epoch visits the training sequences in a new random order (false: as given, e.g. a curriculum). */
    public boolean shuffleTrainData() { return shuffleTrainData; }
    public boolean groupByLength() { return groupByLength; }
    /** fp16 mixed precision as set: true, false, or null for automatic (see {@link #fp16(Device)}). */
    public Boolean fp16() { return fp16; }
    /** The loss scale fp16 training starts with (torch GradScaler's {@code init_scale}). */
    public double fp16InitScale() { return fp16InitScale; }
    /** Overflow-free steps after which the loss scale doubles (torch GradScaler's {@code growth_interval}). */
    public int fp16GrowthInterval() { return fp16GrowthInterval; }

    /**
     * Whether a model on {@code device} trains in fp16 mixed precision: as set by
     * {@link Builder#fp16(Boolean)}, or when unset, exactly when the device is a GPU.
     */
    public boolean fp16(Device device) {
        return resolveFp16(fp16, device);
    }

    /** The device rule on its own: an explicit choice wins; otherwise fp16 on a GPU, float32 on the CPU. */
    static boolean resolveFp16(Boolean requested, Device device) {
        return requested != null ? requested : device.isGpu();
    }

    /** The arguments as a JSON-ready map with Hugging Face's snake_case names (recorded in trellis.json). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output_dir", outputDir.toString());
        m.put("learning_rate", learningRate);
        m.put("num_train_epochs", numTrainEpochs);
        m.put("max_steps", maxSteps);
        m.put("per_device_train_batch_size", perDeviceTrainBatchSize);
        m.put("per_device_eval_batch_size", perDeviceEvalBatchSize);
        m.put("gradient_accumulation_steps", gradientAccumulationSteps);
        m.put("warmup_steps", warmupSteps);
        m.put("lr_scheduler_type", lrSchedulerType.name().toLowerCase(java.util.Locale.ROOT));
        m.put("weight_decay", weightDecay);
        m.put("max_grad_norm", maxGradNorm);
        m.put("optim", optim.name().toLowerCase(java.util.Locale.ROOT));
        m.put("adam_beta1", adamBeta1);
        m.put("adam_beta2", adamBeta2);
        m.put("adam_epsilon", adamEpsilon);
        m.put("logging_strategy", loggingStrategy.name().toLowerCase(java.util.Locale.ROOT));
        m.put("logging_steps", loggingSteps);
        m.put("eval_strategy", evalStrategy.name().toLowerCase(java.util.Locale.ROOT));
        m.put("eval_steps", evalSteps);
        m.put("save_strategy", saveStrategy.name().toLowerCase(java.util.Locale.ROOT));
        m.put("save_steps", saveSteps);
        m.put("save_total_limit", saveTotalLimit);
        m.put("load_best_model_at_end", loadBestModelAtEnd);
        m.put("metric_for_best_model", metricForBestModel);
        m.put("greater_is_better", greaterIsBetter);
        m.put("early_stopping_patience", earlyStoppingPatience);
        m.put("save_minutes", saveMinutes);
        m.put("seed", seed);
        m.put("shuffle_train_data", shuffleTrainData);
        m.put("group_by_length", groupByLength);
        m.put("fp16", fp16 == null ? "auto" : fp16);
        return m;
    }

    @Override
    public String toString() {
        return "TrainingArguments" + toMap();
    }

    /** Builds {@link TrainingArguments}; defaults are Hugging Face's. */
    public static final class Builder {
        private Path outputDir;
        private boolean overwriteOutputDir;
        private double learningRate = 5e-5;
        private double numTrainEpochs = 3;
        private int maxSteps = -1;
        private int perDeviceTrainBatchSize = 8;
        private int perDeviceEvalBatchSize = 8;
        private int gradientAccumulationSteps = 1;
        private int warmupSteps;
        private SchedulerType lrSchedulerType = SchedulerType.LINEAR;
        private double weightDecay;
        private double maxGradNorm = 1.0;
        private OptimizerType optim = OptimizerType.ADAMW;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private IntervalStrategy loggingStrategy = IntervalStrategy.STEPS;
        private int loggingSteps = 500;
        private IntervalStrategy evalStrategy = IntervalStrategy.NO;
        private Integer evalSteps;
        private IntervalStrategy saveStrategy = IntervalStrategy.STEPS;
        private int saveSteps = 500;
        private double saveMinutes;
        private Integer saveTotalLimit;
        private boolean loadBestModelAtEnd;
        private String metricForBestModel;
        private Boolean greaterIsBetter;
        private Integer earlyStoppingPatience;
        private long seed = 42;
        private String resumeFromCheckpoint;
        private boolean disableTqdm;
        private boolean shuffleTrainData = true;
        private boolean groupByLength;
        private Boolean fp16;
        private double fp16InitScale = GradScaler.DEFAULT_INIT_SCALE;
        private int fp16GrowthInterval = GradScaler.DEFAULT_GROWTH_INTERVAL;

        private Builder() {
        }

        /** Where checkpoints, metrics and the final model go (required). */
        public Builder outputDir(Path outputDir) { this.outputDir = outputDir; return this; }
        /** Allow starting afresh in a directory that holds checkpoints of an earlier run (they are deleted). */
        public Builder overwriteOutputDir(boolean v) { this.overwriteOutputDir = v; return this; }
        public Builder learningRate(double v) { this.learningRate = v; return this; }
        public Builder numTrainEpochs(double v) { this.numTrainEpochs = v; return this; }
        /** Optimizer steps; a positive value overrides {@link #numTrainEpochs(double)} (-1: use epochs). */
        public Builder maxSteps(int v) { this.maxSteps = v; return this; }
        public Builder perDeviceTrainBatchSize(int v) { this.perDeviceTrainBatchSize = v; return this; }
        public Builder perDeviceEvalBatchSize(int v) { this.perDeviceEvalBatchSize = v; return this; }
        /** Micro-batches whose gradients are summed into one optimizer step. */
        public Builder gradientAccumulationSteps(int v) { this.gradientAccumulationSteps = v; return this; }
        public Builder warmupSteps(int v) { this.warmupSteps = v; return this; }
        public Builder lrSchedulerType(SchedulerType v) { this.lrSchedulerType = v; return this; }
        /** Decoupled weight decay (AdamW, Adafactor) or L2 (SGD); never applied to biases and norms. */
        public Builder weightDecay(double v) { this.weightDecay = v; return this; }
        /** Clip the global L2 norm of all gradients to this; 0 turns clipping off. */
        public Builder maxGradNorm(double v) { this.maxGradNorm = v; return this; }
        public Builder optim(OptimizerType v) { this.optim = v; return this; }
        public Builder adamBeta1(double v) { this.adamBeta1 = v; return this; }
        public Builder adamBeta2(double v) { this.adamBeta2 = v; return this; }
        public Builder adamEpsilon(double v) { this.adamEpsilon = v; return this; }
        public Builder loggingStrategy(IntervalStrategy v) { this.loggingStrategy = v; return this; }
        public Builder loggingSteps(int v) { this.loggingSteps = v; return this; }
        /** Hugging Face's {@code eval_strategy} (formerly {@code evaluation_strategy}). */
        public Builder evalStrategy(IntervalStrategy v) { this.evalStrategy = v; return this; }
        /** Steps between evaluations; defaults to {@code loggingSteps}. */
        public Builder evalSteps(int v) { this.evalSteps = v; return this; }
        public Builder saveStrategy(IntervalStrategy v) { this.saveStrategy = v; return this; }
        public Builder saveSteps(int v) { this.saveSteps = v; return this; }
        public Builder saveMinutes(double v) { this.saveMinutes = v; return this; }
        public Builder saveTotalLimit(Integer v) { this.saveTotalLimit = v; return this; }
        public Builder loadBestModelAtEnd(boolean v) { this.loadBestModelAtEnd = v; return this; }
        public Builder metricForBestModel(String v) { this.metricForBestModel = v; return this; }
        public Builder greaterIsBetter(Boolean v) { this.greaterIsBetter = v; return this; }
        /** Stop after this many evaluations without improvement of {@code metricForBestModel}. */
        public Builder earlyStoppingPatience(Integer v) { this.earlyStoppingPatience = v; return this; }
        public Builder seed(long v) { this.seed = v; return this; }
        /** A checkpoint directory to continue from, or {@code "latest"}. */
        public Builder resumeFromCheckpoint(String v) { this.resumeFromCheckpoint = v; return this; }
        public Builder resumeFromCheckpoint(Path v) { this.resumeFromCheckpoint = v == null ? null : v.toString(); return this; }
        public Builder disableTqdm(boolean v) { this.disableTqdm = v; return this; }
        public Builder shuffleTrainData(boolean v) { this.shuffleTrainData = v; return this; }
        /**
         * Batch examples of similar length together (Hugging Face's {@code group_by_length}): less padding,
         * so more examples per second when lengths vary. Needs {@link #shuffleTrainData(boolean)}.
         */
        public Builder groupByLength(boolean v) { this.groupByLength = v; return this; }
        /**
         * Hugging Face's {@code fp16}: float16 forward/backward on a working copy of the model, float32
         * master weights in the optimizer, dynamic loss scaling. Null (the default) turns it on when
         * the model is on a GPU and off on the CPU; true on the CPU works (PyTorch's CPU float16
         * kernels cover every op the models use) but is many times slower than float32 there.
         */
        public Builder fp16(Boolean v) { this.fp16 = v; return this; }
        /** The first loss scale under fp16; default 65536 (2^16), as torch's GradScaler. */
        public Builder fp16InitScale(double v) { this.fp16InitScale = v; return this; }
        /** Overflow-free steps before the loss scale doubles under fp16; default 2000, as torch's GradScaler. */
        public Builder fp16GrowthInterval(int v) { this.fp16GrowthInterval = v; return this; }

        /** Checks every field that can be checked without the data and builds the arguments. */
        public TrainingArguments build() {
            if (outputDir == null) {
                throw new TrainingConfigException("outputDir", "is required: set outputDir(Path) to the directory that "
                        + "receives checkpoints, metrics.jsonl and the final model");
            }
            if (!Double.isFinite(learningRate) || learningRate <= 0) {
                throw new TrainingConfigException("learningRate", "must be a finite number above 0, got " + learningRate
                        + "; typical values are 1e-5 (finetuning) to 1e-3 (a tiny model from scratch)");
            }
            if (maxSteps == 0 || maxSteps < -1) {
                throw new TrainingConfigException("maxSteps", "must be positive, or -1 to train for numTrainEpochs; got "
                        + maxSteps);
            }
            if (maxSteps == -1 && (!Double.isFinite(numTrainEpochs) || numTrainEpochs <= 0)) {
                throw new TrainingConfigException("numTrainEpochs", "must be above 0 when maxSteps is not set; got "
                        + numTrainEpochs + " (that would train zero steps)");
            }
            positive("perDeviceTrainBatchSize", perDeviceTrainBatchSize);
            positive("perDeviceEvalBatchSize", perDeviceEvalBatchSize);
            positive("gradientAccumulationSteps", gradientAccumulationSteps);
            if (warmupSteps < 0) {
                throw new TrainingConfigException("warmupSteps", "must be 0 or more, got " + warmupSteps);
            }
            if (maxSteps > 0 && warmupSteps > maxSteps) {
                throw new TrainingConfigException("warmupSteps", warmupSteps + " is more than maxSteps " + maxSteps
                        + "; the learning rate would never reach its peak. Lower warmupSteps");
            }
            if (!Double.isFinite(weightDecay) || weightDecay < 0) {
                throw new TrainingConfigException("weightDecay", "must be a finite number >= 0, got " + weightDecay);
            }
            if (!Double.isFinite(maxGradNorm) || maxGradNorm < 0) {
                throw new TrainingConfigException("maxGradNorm", "must be a finite number >= 0 (0 turns clipping off), got "
                        + maxGradNorm);
            }
            if (!(adamBeta1 >= 0 && adamBeta1 < 1)) {
                throw new TrainingConfigException("adamBeta1", "must be in [0, 1), got " + adamBeta1);
            }
            if (groupByLength && !shuffleTrainData) {
                throw new TrainingConfigException("groupByLength", "groups a shuffled order; it cannot keep the data order "
                        + "(shuffleTrainData is false): turn one of them off");
            }
            if (!(adamBeta2 >= 0 && adamBeta2 < 1)) {
                throw new TrainingConfigException("adamBeta2", "must be in [0, 1), got " + adamBeta2);
            }
            if (!(adamEpsilon > 0) || !Double.isFinite(adamEpsilon)) {
                throw new TrainingConfigException("adamEpsilon", "must be a small positive number, got " + adamEpsilon);
            }
            Objects.requireNonNull(lrSchedulerType, "lrSchedulerType");
            Objects.requireNonNull(optim, "optim");
            Objects.requireNonNull(loggingStrategy, "loggingStrategy");
            Objects.requireNonNull(evalStrategy, "evalStrategy");
            Objects.requireNonNull(saveStrategy, "saveStrategy");
            if (loggingStrategy == IntervalStrategy.STEPS) {
                positive("loggingSteps", loggingSteps);
            }
            if (evalStrategy == IntervalStrategy.STEPS) {
                positive("evalSteps", evalSteps == null ? loggingSteps : evalSteps);
            }
            if (saveStrategy == IntervalStrategy.STEPS) {
                positive("saveSteps", saveSteps);
            }
            if (saveTotalLimit != null && saveTotalLimit < 1) {
                throw new TrainingConfigException("saveTotalLimit", "must be at least 1 (or null to keep every checkpoint), got "
                        + saveTotalLimit);
            }
            if (loadBestModelAtEnd) {
                if (evalStrategy == IntervalStrategy.NO) {
                    throw new TrainingConfigException("loadBestModelAtEnd", "needs evaluations to pick the best model; set "
                            + "evalStrategy to STEPS or EPOCH (and pass an eval dataset)");
                }
                if (saveStrategy != evalStrategy) {
                    throw new TrainingConfigException("loadBestModelAtEnd", "needs saveStrategy (" + saveStrategy
                            + ") equal to evalStrategy (" + evalStrategy + ") so every evaluated model is saved");
                }
                int es = evalSteps == null ? loggingSteps : evalSteps;
                if (saveStrategy == IntervalStrategy.STEPS && saveSteps % es != 0) {
                    throw new TrainingConfigException("saveSteps", saveSteps + " is not a multiple of evalSteps " + es
                            + "; with loadBestModelAtEnd every save must follow an evaluation");
                }
            }
            if (earlyStoppingPatience != null) {
                if (earlyStoppingPatience < 1) {
                    throw new TrainingConfigException("earlyStoppingPatience", "must be at least 1, got " + earlyStoppingPatience);
                }
                if (evalStrategy == IntervalStrategy.NO) {
                    throw new TrainingConfigException("earlyStoppingPatience", "needs evaluations; set evalStrategy to STEPS "
                            + "or EPOCH and pass an eval dataset");
                }
            }
            if (!Double.isFinite(fp16InitScale) || fp16InitScale <= 0) {
                throw new TrainingConfigException("fp16InitScale", "must be a finite number above 0, got " + fp16InitScale
                        + "; the usual value is 65536 (2^16)");
            }
            positive("fp16GrowthInterval", fp16GrowthInterval);
            if (resumeFromCheckpoint != null && resumeFromCheckpoint.isBlank()) {
                throw new TrainingConfigException("resumeFromCheckpoint", "is blank; pass a checkpoint directory, \"latest\", or null");
            }
            return new TrainingArguments(this);
        }

        private static void positive(String field, int v) {
            if (v < 1) {
                throw new TrainingConfigException(field, "must be at least 1, got " + v);
            }
        }
    }
}
