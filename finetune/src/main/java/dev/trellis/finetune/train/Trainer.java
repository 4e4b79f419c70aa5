package dev.trellis.finetune.train;

import dev.trellis.framework.io.FileTrees;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.Batch;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.LanguageModelingLoss;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.model.Parameter;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;
import dev.trellis.framework.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link CausalLM} on a {@link TokenizedDataset}: Hugging Face's {@code Trainer} in Java.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder().model(model).args(args)
 *         .trainDataset(train).evalDataset(test).tokenizer(tokenizer).build();   // refuses bad configs here
 * TrainOutput out = trainer.train();        // checkpoints, metrics.jsonl, loss.png, final model in outputDir
 * }</pre>
 *
 * <p>The loop is written by hand (DJL's own Trainer measured 2x slower here): per optimizer step
 * one {@code NDScope} frees every intermediate array, one {@code GradientCollector} records the
 * micro-batches of the accumulation window, whose losses are token sums divided by the window's
 * label count (so 4 micro-batches of 1 give exactly the gradient of one batch of 4, as
 * transformers does since 4.46). Then the global gradient norm is clipped, the optimizer updates
 * the parameters in place and the gradients are zeroed.
 *
 * <p>Data order is a function of the seed and the epoch alone (epoch {@code e} shuffles with
 * {@code seed + e}), and optimizer state is saved bit-exactly, so resuming from a checkpoint —
 * even after {@code kill -9} — repeats at most the steps since that checkpoint and reproduces the
 * loss curve of an uninterrupted run.
 *
 * <p>Device and precision: the model's device (a GPU when DJL sees one, else the CPU), with the
 * same code on both. {@link TrainingArguments#fp16(ai.djl.Device)} picks fp16 mixed precision on a
 * GPU and float32 on the CPU unless set. Under fp16 the model handed in stays float32 and is the
 * optimizer's master copy; forward and backward run on a float16 working copy
 * ({@link CausalLM#toDataType}) whose parameters are leaves with their own gradients (DJL's
 * {@code toType} is not differentiable, so the masters cannot be cast inside the graph). The
 * log-softmax of the loss runs in float32; the loss is multiplied by the {@link GradScaler}'s scale
 * before {@code backward}; the float16 gradients are cast to float32 and unscaled, an inf/NaN skips
 * the step and halves the scale, otherwise they are clipped, the float32 optimizer steps, and the
 * working copy is refreshed from the masters. Evaluation and every saved model use the float32
 * masters. The scaler's state is part of each checkpoint. Tested on the CPU (PyTorch's CPU float16
 * kernels run every op used, slowly); not yet run on a GPU from this code base.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");
    static final String TRAINER_STATE = "trainer_state.json";
    static final String OPTIMIZER_STATE = "optimizer.bin";

    private final CausalLM model;
    private final TrainingArguments args;
    private final TokenizedDataset trainDataset;
    private final TokenizedDataset evalDataset;
    private final TrellisTokenizer tokenizer;
    private final InstructionTemplate template;
    private final String baseModel;
    private final List<TrainerCallback> callbacks;
    private final int stepsPerEpoch;
    private final int maxSteps;
    private final Path resumeFrom;
    private final TrainerState state = new TrainerState();
    private final MetricsLog metrics;
    private final boolean fp16;
    private GradScaler scaler;

    private Trainer(Builder b) {
        model = Objects.requireNonNull(b.model, "model");
        args = Objects.requireNonNull(b.args, "args");
        trainDataset = b.trainDataset;
        evalDataset = b.evalDataset;
        tokenizer = b.tokenizer;
        baseModel = b.baseModel;
        callbacks = List.copyOf(b.callbacks);
        checkData("trainDataset", trainDataset, args.perDeviceTrainBatchSize(), "perDeviceTrainBatchSize");
        if (args.evalStrategy() != IntervalStrategy.NO || evalDataset != null) {
            if (evalDataset == null) {
                throw new TrainingConfigException("evalDataset", "is required when evalStrategy is " + args.evalStrategy()
                        + "; pass evalDataset(...) or set evalStrategy(IntervalStrategy.NO)");
            }
            checkData("evalDataset", evalDataset, args.perDeviceEvalBatchSize(), "perDeviceEvalBatchSize");
        }
        String metric = args.metricForBestModel();
        if (metric != null && !List.of("eval_loss", "eval_perplexity").contains(metric)) {
            throw new TrainingConfigException("metricForBestModel", "'" + metric + "' is not a metric the trainer computes; "
                    + "use eval_loss or eval_perplexity");
        }
        if (tokenizer != null && !(tokenizer instanceof HfTokenizer)) {
            throw new TrainingConfigException("tokenizer", "must be an HfTokenizer (loaded from a tokenizer.json) so every "
                    + "checkpoint can carry it; got " + tokenizer.getClass().getSimpleName());
        }
        if (tokenizer != null && tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new TrainingConfigException("tokenizer", "has " + tokenizer.vocabSize() + " tokens but the model's "
                    + "embedding covers " + model.config().vocabSize() + "; build the model with vocab_size >= "
                    + tokenizer.vocabSize());
        }
        template = b.template != null ? b.template : templateOf(trainDataset);
        int batches = ceilDiv(trainDataset.size(), args.perDeviceTrainBatchSize());
        stepsPerEpoch = ceilDiv(batches, args.gradientAccumulationSteps());
        maxSteps = args.maxSteps() > 0 ? args.maxSteps() : (int) Math.ceil(args.numTrainEpochs() * stepsPerEpoch);
        if (maxSteps < 1) {
            throw new TrainingConfigException("numTrainEpochs", args.numTrainEpochs() + " epochs of " + stepsPerEpoch
                    + " steps is zero steps; raise numTrainEpochs or set maxSteps");
        }
        if (args.warmupSteps() > maxSteps) {
            throw new TrainingConfigException("warmupSteps", args.warmupSteps() + " is more than the " + maxSteps
                    + " steps of this run; lower warmupSteps");
        }
        resumeFrom = checkOutputDir();
        metrics = new MetricsLog(args.outputDir().resolve(MetricsLog.FILE));
        state.maxSteps = maxSteps;
        state.stepsPerEpoch = stepsPerEpoch;
        if (model.dataType() != DataType.FLOAT32) {
            throw new TrainingConfigException("model", "computes in " + model.dataType() + "; train the float32 model "
                    + "(CausalLM.load or CausalLM.create) and set fp16(true): the trainer keeps float32 master weights and "
                    + "makes the float16 working copy itself");
        }
        fp16 = args.fp16(model.device());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Optimizer steps this run takes (from maxSteps, or epochs x steps per epoch). */
    public int maxSteps() {
        return maxSteps;
    }

    /** Optimizer steps per pass over the training data. */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Whether this run trains in fp16 mixed precision (see {@link TrainingArguments#fp16(ai.djl.Device)}). */
    public boolean fp16() {
        return fp16;
    }

    /** The loss scaler of an fp16 run (null in float32), for diagnostics and tests. */
    GradScaler gradScaler() {
        return scaler;
    }

    /** The state shared with callbacks. */
    public TrainerState state() {
        return state;
    }

    /** Runs training to {@code maxSteps} (or an early stop), then writes the final model into the output directory. */
    public TrainOutput train() {
        LearningRateSchedule schedule = new LearningRateSchedule(args.lrSchedulerType(), args.learningRate(),
                args.warmupSteps(), maxSteps);
        List<Parameter> params = model.parameters();
        long startNanos = System.nanoTime();
        long tokensThisRun = 0;
        double lossSumThisRun = 0;
        int stepsThisRun = 0;
        Map<String, Object> lastEval = Map.of();
        scaler = fp16 ? new GradScaler(args.fp16InitScale(), GradScaler.DEFAULT_GROWTH_FACTOR,
                GradScaler.DEFAULT_BACKOFF_FACTOR, args.fp16GrowthInterval()) : null;
        if (fp16 && !model.device().isGpu()) {
            LOG.warn("fp16 on the CPU: correct, but PyTorch's CPU float16 matmuls are many times slower than float32; "
                    + "meant for testing the mixed-precision path");
        }
        try (Optimizer optimizer = Optimizer.create(args, params);
             NDManager manager = NDManager.newBaseManager(model.device());
             CausalLM working = fp16 ? model.toDataType(DataType.FLOAT16) : null) {
            removeLeftovers();
            if (resumeFrom != null) {
                resume(resumeFrom, optimizer);
            } else {
                if (args.overwriteOutputDir()) {
                    clearOutputDir();
                }
                Files.createDirectories(args.outputDir());
                // a run killed before its first checkpoint left lines no checkpoint backs: start the log afresh
                Files.deleteIfExists(metrics.file());
            }
            if (working != null) {
                working.copyParametersFrom(model); // the masters may have been restored from a checkpoint
            }
            LOG.info("training {} ({} parameters) on {} in {}: {} steps ({} per epoch), {} train / {} eval sequences, output {}",
                    model.config().modelType(), model.numParameters(), model.device(),
                    fp16 ? "fp16 mixed precision (loss scale " + scaler.scale() + ")" : "float32", maxSteps, stepsPerEpoch,
                    trainDataset.size(), evalDataset == null ? 0 : evalDataset.size(), args.outputDir());
            callbacks.forEach(c -> c.onTrainBegin(args, state));
            int cachedEpoch = -1;
            List<Batch> epochBatches = List.of();
            double logLoss = 0;
            int logSteps = 0;
            long logTokens = 0;
            long logStart = System.nanoTime();
            long lastSave = System.nanoTime();
            try (ProgressReporter progress = new ProgressReporter(state.globalStep, maxSteps, args.disableTqdm())) {
                while (state.globalStep < maxSteps && !state.shouldStop) {
                    int step = state.globalStep;
                    int epoch = step / stepsPerEpoch;
                    if (epoch != cachedEpoch) {
                        epochBatches = args.groupByLength()
                                ? trainDataset.lengthGroupedBatches(args.perDeviceTrainBatchSize(), args.seed() + epoch)
                                : (args.shuffleTrainData() ? trainDataset.shuffle(args.seed() + epoch) : trainDataset)
                                        .batches(args.perDeviceTrainBatchSize());
                        cachedEpoch = epoch;
                    }
                    int window = step % stepsPerEpoch;
                    int from = window * args.gradientAccumulationSteps();
                    List<Batch> micro = epochBatches.subList(from,
                            Math.min(epochBatches.size(), from + args.gradientAccumulationSteps()));
                    double lr = schedule.learningRate(step) * state.learningRateScale;
                    StepResult r = trainStep(manager, micro, params, optimizer, lr, working);

                    state.globalStep = step + 1;
                    state.epoch = (double) state.globalStep / stepsPerEpoch;
                    tokensThisRun += r.tokens;
                    lossSumThisRun += r.loss;
                    stepsThisRun++;
                    logLoss += r.loss;
                    logSteps++;
                    logTokens += r.tokens;
                    boolean epochEnd = state.globalStep % stepsPerEpoch == 0;
                    boolean last = state.globalStep == maxSteps;

                    boolean logged = due(args.loggingStrategy(), args.loggingSteps(), epochEnd) || (last && logSteps > 0
                            && args.loggingStrategy() != IntervalStrategy.NO);
                    double seconds = (System.nanoTime() - logStart) / 1e9;
                    if (logged) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("step", state.globalStep);
                        entry.put("epoch", round(state.epoch));
                        entry.put("loss", logLoss / logSteps);
                        entry.put("learning_rate", lr);
                        entry.put("grad_norm", r.gradNorm);
                        entry.put("tokens_per_second", seconds > 0 ? logTokens / seconds : 0.0);
                        if (scaler != null) {
                            entry.put("loss_scale", scaler.scale());
                            entry.put("skipped_steps", scaler.skippedSteps());
                        }
                        log(entry);
                    }
                    progress.step(state.globalStep, r.loss, lr, seconds > 0 ? logTokens / seconds : 0, logged);
                    if (logged) {
                        logLoss = 0;
                        logSteps = 0;
                        logTokens = 0;
                        logStart = System.nanoTime();
                    }
                    if (!r.applied && scaler == null) {
                        progress.message("step " + state.globalStep + ": gradient norm " + r.gradNorm + ", update skipped");
                    }
                    if (due(args.evalStrategy(), args.evalSteps(), epochEnd)) {
                        lastEval = evaluate();
                    }
                    callbacks.forEach(c -> c.onStepEnd(args, state));
                    boolean saveByClock = args.saveMinutes() > 0 && !last
                            && System.nanoTime() - lastSave >= (long) (args.saveMinutes() * 60e9);
                    if (due(args.saveStrategy(), args.saveSteps(), epochEnd) || saveByClock) {
                        saveCheckpoint(optimizer, schedule);
                        lastSave = System.nanoTime();
                    }
                }
            }
            if (args.loadBestModelAtEnd() && state.bestModelCheckpoint != null && Files.isDirectory(state.bestModelCheckpoint)) {
                LOG.info("loading the best model ({} = {}) from {}", args.metricForBestModel(), state.bestMetric,
                        state.bestModelCheckpoint);
                copyWeights(state.bestModelCheckpoint);
            }
            double runtime = (System.nanoTime() - startNanos) / 1e9;
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("train_runtime", runtime);
            summary.put("train_steps_per_second", stepsThisRun / runtime);
            summary.put("train_tokens_per_second", tokensThisRun / runtime);
            summary.put("train_loss", stepsThisRun == 0 ? Double.NaN : lossSumThisRun / stepsThisRun);
            summary.put("epoch", round(state.epoch));
            summary.put("global_step", state.globalStep);
            summary.putAll(lastEval);
            writeModelDir(args.outputDir(), summary);
            writeTrainerState(args.outputDir(), schedule);
            callbacks.forEach(c -> c.onTrainEnd(args, state));
            LOG.info("training done: {} steps, loss {}, {} tokens/s; model in {}", state.globalStep,
                    summary.get("train_loss"), Math.round(tokensThisRun / runtime), args.outputDir());
            return new TrainOutput(state.globalStep, stepsThisRun == 0 ? Double.NaN : lossSumThisRun / stepsThisRun,
                    summary, args.outputDir());
        } catch (IOException e) {
            throw new UncheckedIOException("training output " + args.outputDir() + ": " + e.getMessage(), e);
        }
    }

    private record StepResult(double loss, long tokens, double gradNorm, boolean applied) {
    }

    /**
     * One optimizer step over the micro-batches of an accumulation window. {@code working} is the
     * float16 copy under fp16 (null in float32, where the model itself runs).
     */
    private StepResult trainStep(NDManager manager, List<Batch> micro, List<Parameter> params, Optimizer optimizer, double lr,
                                 CausalLM working) {
        CausalLM net = working != null ? working : model;
        double lossScale = scaler != null ? scaler.scale() : 1.0;
        long labelCount = 0;
        long tokens = 0;
        for (Batch b : micro) {
            labelCount += b.labelCount();
            tokens += b.tokenCount();
        }
        try (NDScope ignored = new NDScope()) {
            double loss = 0;
            if (labelCount > 0) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    for (Batch b : micro) {
                        if (b.labelCount() == 0) {
                            continue;
                        }
                        NDArray part = negativeLogLikelihoodSum(net, manager, b).div((float) labelCount);
                        gc.backward(scaler == null ? part : part.mul((float) lossScale));
                        loss += part.getFloat();
                    }
                }
            }
            if (labelCount == 0) {
                return new StepResult(0, tokens, 0, false);
            }
            List<NDArray> grads = new ArrayList<>(params.size());
            if (working == null) {
                for (Parameter p : params) {
                    grads.add(p.array().getGradient());
                }
            } else {
                // float16 gradients of the working copy -> float32, unscaled, in the masters' order (same construction)
                for (Parameter w : working.parameters()) {
                    grads.add(w.array().getGradient().toType(DataType.FLOAT32, false).divi((float) lossScale));
                }
            }
            double norm = GradientClipping.clipGlobalNorm(grads, args.maxGradNorm());
            boolean finite = Double.isFinite(norm) && Double.isFinite(loss);
            boolean apply = scaler == null ? finite : scaler.update(finite);
            if (apply) {
                optimizer.step(lr, grads);
                if (working != null) {
                    working.copyParametersFrom(model);
                }
            } else if (scaler != null) { // routine under fp16: the scale adapts (metrics.jsonl counts skipped_steps)
                LOG.info("step {}: fp16 gradients overflowed at loss scale {}; update skipped, loss scale now {}",
                        state.globalStep + 1, lossScale, scaler.scale());
            } else {
                LOG.warn("gradient norm {} / loss {} is not finite; skipping this update", norm, loss);
            }
            for (Parameter p : net.parameters()) {
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return new StepResult(loss, tokens, norm, apply);
        }
    }

    /**
     * Sum over counted positions of -log p(label), predicting position t+1 from t; labels of -100 do not
     * count. Only the counted positions go through the output layer: in question/answer data they are
     * the answer's few tokens, and the output layer over every position was a quarter of a step.
     */
    static NDArray negativeLogLikelihoodSum(CausalLM net, NDManager manager, Batch b) {
        int rows = b.batchSize();
        int steps = b.sequenceLength();
        int[][] labels = b.labels();
        long[] at = new long[(int) b.labelCount()];
        long[] targets = new long[at.length];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t + 1 < steps; t++) {
                int label = labels[r][t + 1];
                if (label != TokenizedExample.IGNORE_INDEX) {
                    at[n] = (long) r * steps + t;
                    targets[n++] = label;
                }
            }
        }
        NDArray ids = manager.create(Batch.flatten(b.inputIds()), new Shape(rows, steps));
        NDArray hidden = net.hiddenStates(ids);
        long width = hidden.getShape().get(2);
        NDArray index = manager.create(Arrays.copyOf(at, n)).expandDims(-1).repeat(1, width);
        NDArray counted = hidden.reshape(rows * (long) steps, width).gather(index, 0);
        NDArray target = manager.create(Arrays.copyOf(targets, n)).expandDims(-1);
        return LanguageModelingLoss.logSoftmax(net.logits(counted)).gather(target, -1).sum().neg();
    }

    /**
     * Mean loss over every labelled token of the eval dataset ({@code eval_loss}) and its
     * exponential ({@code eval_perplexity}); no gradients are recorded.
     */
    public Map<String, Object> evaluate() {
        if (evalDataset == null) {
            throw new TrainingConfigException("evalDataset", "is not set; pass evalDataset(...) to the builder to evaluate");
        }
        long start = System.nanoTime();
        double nll = 0;
        long count = 0;
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            // a sum over every labelled token: any order gives it, and batches of similar length pad least
            for (Batch b : evalDataset.lengthGroupedBatches(args.perDeviceEvalBatchSize(), 0)) {
                if (b.labelCount() == 0) {
                    continue;
                }
                try (NDScope ignored = new NDScope()) {
                    nll += negativeLogLikelihoodSum(model, manager, b).getFloat();
                    count += b.labelCount();
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double loss = nll / Math.max(1, count);
        m.put("eval_loss", loss);
        m.put("eval_perplexity", Math.exp(loss));
        m.put("eval_runtime", (System.nanoTime() - start) / 1e9);
        m.put("eval_tokens", count);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("step", state.globalStep);
        entry.put("epoch", round(state.epoch));
        entry.putAll(m);
        state.logHistory.add(entry);
        metrics.append(entry);
        trackBest(m);
        callbacks.forEach(c -> c.onEvaluate(args, state, m));
        return m;
    }

    private void trackBest(Map<String, Object> m) {
        String name = args.metricForBestModel();
        if (name == null || !(m.get(name) instanceof Number n)) {
            return;
        }
        double v = n.doubleValue();
        boolean better = state.bestMetric == null || (Boolean.TRUE.equals(args.greaterIsBetter()) ? v > state.bestMetric
                : v < state.bestMetric);
        if (better) {
            state.bestMetric = v;
            state.bestModelCheckpoint = args.outputDir().resolve("checkpoint-" + state.globalStep);
            state.evaluationsWithoutImprovement = 0;
        } else {
            state.evaluationsWithoutImprovement++;
            Integer patience = args.earlyStoppingPatience();
            if (patience != null && state.evaluationsWithoutImprovement >= patience) {
                LOG.info("early stopping at step {}: {} did not improve on {} for {} evaluations", state.globalStep, name,
                        state.bestMetric, patience);
                state.shouldStop = true;
            }
        }
    }

    private void log(Map<String, Object> entry) {
        state.logHistory.add(entry);
        metrics.append(entry);
        callbacks.forEach(c -> c.onLog(args, state, entry));
    }

    private boolean due(IntervalStrategy strategy, int every, boolean epochEnd) {
        return switch (strategy) {
            case NO -> false;
            case STEPS -> state.globalStep % every == 0;
            case EPOCH -> epochEnd;
        };
    }

    // ---------------------------------------------------------------- checkpoints

    /** Writes {@code checkpoint-<step>} into a temporary directory, then renames it into place. */
    private void saveCheckpoint(Optimizer optimizer, LearningRateSchedule schedule) throws IOException {
        Path out = args.outputDir();
        Path target = out.resolve("checkpoint-" + state.globalStep);
        Path tmp = Files.createTempDirectory(out, ".checkpoint-" + state.globalStep + "-");
        try {
            writeModelDir(tmp, Map.of());
            optimizer.save(tmp.resolve(OPTIMIZER_STATE));
            writeTrainerState(tmp, schedule);
            if (Files.exists(target)) {
                // a resumed run reaching a step saved before the crash: replace it
                discard(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                FileTrees.delete(tmp);
            }
        }
        callbacks.forEach(c -> c.onSave(args, state, target));
        rotateCheckpoints();
    }

    /** A complete model directory: model, tokenizer, trellis.json, loss.png. */
    private void writeModelDir(Path dir, Map<String, Object> summary) throws IOException {
        model.save(dir);
        if (tokenizer instanceof HfTokenizer hf) {
            Path src = hf.source();
            AtomicFiles.write(dir.resolve("tokenizer.json"), Files.readAllBytes(src));
            Path cfg = src.resolveSibling("tokenizer_config.json");
            if (Files.isRegularFile(cfg)) {
                AtomicFiles.write(dir.resolve("tokenizer_config.json"), Files.readAllBytes(cfg));
            }
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("trainer", "dev.trellis.finetune.train.Trainer");
        training.put("arguments", args.toMap());
        training.put("global_step", state.globalStep);
        training.put("max_steps", maxSteps);
        training.put("epoch", round(state.epoch));
        if (trainDataset.summary() != null) {
            training.put("train_data", trainDataset.summary().toMap());
        }
        if (evalDataset != null && evalDataset.summary() != null) {
            training.put("eval_data", evalDataset.summary().toMap());
        }
        Map<String, Object> lastLoss = lastWith("loss");
        if (lastLoss != null) {
            training.put("last_loss", lastLoss.get("loss"));
        }
        Map<String, Object> lastEval = lastWith("eval_loss");
        if (lastEval != null) {
            training.put("last_eval_loss", lastEval.get("eval_loss"));
        }
        if (state.bestMetric != null) {
            training.put("best_metric", Map.of(args.metricForBestModel(), state.bestMetric));
        }
        training.put("device", model.device().toString());
        training.put("mixed_precision", fp16 ? "fp16" : "no");
        training.putAll(summary);
        new TrellisManifest(template, baseModel, training).write(dir);
        LossPlot.write(state.logHistory, "loss — step " + state.globalStep, dir.resolve(LossPlot.FILE));
    }

    private Map<String, Object> lastWith(String key) {
        for (int i = state.logHistory.size() - 1; i >= 0; i--) {
            if (state.logHistory.get(i).get(key) != null) {
                return state.logHistory.get(i);
            }
        }
        return null;
    }

    private void writeTrainerState(Path dir, LearningRateSchedule schedule) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("global_step", state.globalStep);
        s.put("epoch", state.epoch);
        s.put("max_steps", maxSteps);
        s.put("steps_per_epoch", stepsPerEpoch);
        s.put("best_metric", state.bestMetric);
        s.put("best_model_checkpoint", state.bestModelCheckpoint == null ? null
                : state.bestModelCheckpoint.getFileName().toString());
        s.put("evaluations_without_improvement", state.evaluationsWithoutImprovement);
        Map<String, Object> sched = new LinkedHashMap<>();
        sched.put("type", schedule.type().name());
        sched.put("peak", schedule.peak());
        sched.put("warmup_steps", schedule.warmupSteps());
        sched.put("total_steps", schedule.totalSteps());
        sched.put("next_learning_rate", schedule.learningRate(Math.min(state.globalStep, maxSteps)));
        s.put("scheduler", sched);
        // The only randomness is the data order: epoch e shuffles with seed + e, so the position is the state.
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("seed", args.seed());
        rng.put("data_epoch", state.globalStep / stepsPerEpoch);
        rng.put("data_window", state.globalStep % stepsPerEpoch);
        s.put("rng_state", rng);
        if (scaler != null) {
            s.put("grad_scaler", scaler.stateDict());
        }
        s.put("log_history", state.logHistory);
        AtomicFiles.write(dir.resolve(TRAINER_STATE), JSON.writeValueAsBytes(s));
    }

    @SuppressWarnings("unchecked")
    private void resume(Path checkpoint, Optimizer optimizer) throws IOException {
        Map<String, Object> s = JSON.readValue(checkpoint.resolve(TRAINER_STATE).toFile(), Map.class);
        int step = ((Number) s.get("global_step")).intValue();
        int savedStepsPerEpoch = ((Number) s.get("steps_per_epoch")).intValue();
        if (savedStepsPerEpoch != stepsPerEpoch) {
            throw new TrainingConfigException("resumeFromCheckpoint", checkpoint + " was trained with " + savedStepsPerEpoch
                    + " steps per epoch, this configuration has " + stepsPerEpoch + "; resume with the same data, "
                    + "batch size and gradient accumulation");
        }
        Map<String, Object> rng = (Map<String, Object>) s.get("rng_state");
        if (rng != null && ((Number) rng.get("seed")).longValue() != args.seed()) {
            throw new TrainingConfigException("seed", "is " + args.seed() + " but " + checkpoint + " was trained with seed "
                    + rng.get("seed") + "; resume with the same seed to keep the data order");
        }
        copyWeights(checkpoint);
        optimizer.load(checkpoint.resolve(OPTIMIZER_STATE));
        state.globalStep = step;
        state.epoch = (double) step / stepsPerEpoch;
        state.bestMetric = s.get("best_metric") == null ? null : ((Number) s.get("best_metric")).doubleValue();
        state.bestModelCheckpoint = s.get("best_model_checkpoint") == null ? null
                : args.outputDir().resolve((String) s.get("best_model_checkpoint"));
        state.evaluationsWithoutImprovement = ((Number) s.getOrDefault("evaluations_without_improvement", 0)).intValue();
        state.logHistory.clear();
        for (Object e : (List<Object>) s.getOrDefault("log_history", List.of())) {
            state.logHistory.add((Map<String, Object>) e);
        }
        Object scalerState = s.get("grad_scaler");
        if (scaler != null && scalerState instanceof Map<?, ?> gs) {
            scaler.loadStateDict((Map<String, Object>) gs);
        } else if (scaler != null) {
            LOG.info("{} was trained in float32; fp16 continues from it with a fresh loss scale {}", checkpoint, scaler.scale());
        }
        metrics.truncateAfter(step);
        LOG.info("resumed from {} at step {} of {}", checkpoint, step, maxSteps);
    }

    /** Copies a checkpoint's weights into the model's own arrays (in place, so the optimizer's references stay valid). */
    private void copyWeights(Path checkpoint) {
        try (CausalLM saved = CausalLM.load(checkpoint, model.device())) {
            for (Parameter p : model.parameters()) {
                NDArray src = saved.parameter(p.name()).array();
                p.array().muli(0).addi(src);
            }
        }
    }

    private void rotateCheckpoints() throws IOException {
        Integer limit = args.saveTotalLimit();
        if (limit == null) {
            return;
        }
        List<Path> all = checkpoints(args.outputDir());
        if (all.size() <= limit) {
            return;
        }
        Path newest = all.get(all.size() - 1);
        int excess = all.size() - limit;
        for (Path p : all) {
            if (excess <= 0) {
                break;
            }
            if (p.equals(newest) || p.equals(state.bestModelCheckpoint)) {
                continue;
            }
            discard(p);
            excess--;
        }
    }

    /** Renames a directory out of the way in one atomic step, then deletes it: a kill mid-way never leaves a half checkpoint. */
    private void discard(Path dir) throws IOException {
        Path doomed = Files.createTempDirectory(args.outputDir(), ".deleting-");
        Files.move(dir, doomed.resolve(dir.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(doomed);
    }

    /** Removes temporary directories a killed run left behind (unfinished checkpoints, half-done deletions). */
    private void removeLeftovers() throws IOException {
        if (!Files.isDirectory(args.outputDir())) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> s = Files.list(args.outputDir())) {
            stale = s.filter(p -> {
                String n = p.getFileName().toString();
                return Files.isDirectory(p) && (n.startsWith(".checkpoint-") || n.startsWith(".deleting-")
                        || n.startsWith(".replaced-"));
            }).toList();
        }
        for (Path p : stale) {
            LOG.info("removing {} left by an interrupted run", p);
            FileTrees.delete(p);
        }
    }

    /** The complete {@code checkpoint-<step>} directories under {@code dir}, oldest first. */
    public static List<Path> checkpoints(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(TRAINER_STATE)))
                    .sorted(Comparator.comparingInt(Trainer::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    // ---------------------------------------------------------------- configuration checks

    private void checkData(String field, TokenizedDataset data, int batchSize, String batchField) {
        if (data == null) {
            throw new TrainingConfigException(field, "is required; pass a TokenizedDataset (DatasetTokenizer.tokenize(...))");
        }
        if (data.size() == 0) {
            throw new TrainingConfigException(field, "is empty; there is nothing to train or evaluate on");
        }
        if (batchSize > data.size()) {
            throw new TrainingConfigException(batchField, batchSize + " is larger than " + field + " (" + data.size()
                    + " sequences); lower it to at most " + data.size() + " or add data");
        }
        int vocab = model.config().vocabSize();
        int maxLen = model.config().maxPositionEmbeddings();
        long labelled = 0;
        for (int i = 0; i < data.size(); i++) {
            TokenizedExample e = data.get(i);
            if (e.length() > maxLen) {
                throw new TrainingConfigException(field, "sequence " + i + " has " + e.length() + " tokens but the model "
                        + "handles at most " + maxLen + " (max_position_embeddings); tokenize with maxLength(" + maxLen + ")");
            }
            for (int id : e.inputIds()) {
                if (id < 0 || id >= vocab) {
                    throw new TrainingConfigException(field, "sequence " + i + " holds token id " + id + " outside the model's "
                            + "vocabulary of " + vocab + "; the tokenizer and the model do not match");
                }
            }
            labelled += e.labelCount();
        }
        if (labelled == 0) {
            throw new TrainingConfigException(field, "has no labelled token (every label is -100); check the template's "
                    + "answer part or tokenize with trainOnPrompt(true)");
        }
    }

    /** Validates the output directory and finds the checkpoint to resume from (null: start fresh). */
    private Path checkOutputDir() {
        Path out = args.outputDir();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new TrainingConfigException("outputDir", out + " is a file; choose a directory");
        }
        String resume = args.resumeFromCheckpoint();
        Path checkpoint = null;
        if (resume != null) {
            if (resume.equals("latest")) {
                List<Path> all = checkpoints(out);
                checkpoint = all.isEmpty() ? null : all.get(all.size() - 1);
                if (checkpoint == null) {
                    LOG.info("resumeFromCheckpoint=latest: no checkpoint in {} yet, starting from step 0", out);
                }
            } else {
                checkpoint = Path.of(resume);
                if (!Files.isRegularFile(checkpoint.resolve(TRAINER_STATE))) {
                    throw new TrainingConfigException("resumeFromCheckpoint", checkpoint + " is not a complete checkpoint "
                            + "(no " + TRAINER_STATE + "); pass a checkpoint-<step> directory or \"latest\"");
                }
            }
        }
        if (checkpoint != null) {
            requireSameModel(checkpoint, "resumeFromCheckpoint", "resume with the model the checkpoint was trained from");
            return checkpoint;
        }
        if (Files.isRegularFile(out.resolve("config.json"))) {
            requireSameModel(out, "outputDir", "choose another outputDir");
        }
        boolean used = Files.isRegularFile(out.resolve("config.json")) || !checkpoints(out).isEmpty();
        if (used && !args.overwriteOutputDir()) {
            throw new TrainingConfigException("outputDir", out + " already holds a model or checkpoints from an earlier run; "
                    + "pass resumeFromCheckpoint(\"latest\") to continue it, overwriteOutputDir(true) to replace it, "
                    + "or choose another directory");
        }
        return null;
    }

    private void requireSameModel(Path dir, String field, String advice) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new TrainingConfigException(field, dir + " has no config.json; it is not a complete checkpoint");
        }
        ModelConfig saved = ModelConfig.read(cfg);
        ModelConfig ours = model.config();
        String a = describe(saved);
        String b = describe(ours);
        if (!a.equals(b)) {
            throw new TrainingConfigException(field, dir + " holds a different model (" + a + ") than the one being "
                    + "trained (" + b + "); " + advice);
        }
    }

    private static String describe(ModelConfig c) {
        return c.modelType() + ", vocab " + c.vocabSize() + ", hidden " + c.hiddenSize() + ", layers " + c.numHiddenLayers()
                + ", heads " + c.numAttentionHeads();
    }

    private void clearOutputDir() throws IOException {
        for (Path p : checkpoints(args.outputDir())) {
            FileTrees.delete(p);
        }
        Files.deleteIfExists(args.outputDir().resolve(MetricsLog.FILE));
    }

    private static InstructionTemplate templateOf(TokenizedDataset data) {
        if (data != null && data.summary() != null && !data.summary().template().isEmpty()) {
            return InstructionTemplate.fromMap(data.summary().template());
        }
        return InstructionTemplate.NONE;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** Builds a {@link Trainer}; {@link #build()} checks the whole configuration against the data and the output directory. */
    public static final class Builder {
        private CausalLM model;
        private TrainingArguments args;
        private TokenizedDataset trainDataset;
        private TokenizedDataset evalDataset;
        private TrellisTokenizer tokenizer;
        private InstructionTemplate template;
        private String baseModel = "";
        private final List<TrainerCallback> callbacks = new ArrayList<>();

        private Builder() {
        }

        public Builder model(CausalLM model) { this.model = model; return this; }
        public Builder args(TrainingArguments args) { this.args = args; return this; }
        public Builder trainDataset(TokenizedDataset d) { this.trainDataset = d; return this; }
        public Builder evalDataset(TokenizedDataset d) { this.evalDataset = d; return this; }
        /** The tokenizer the data was made with; copied into every checkpoint (must be an {@link HfTokenizer}). */
        public Builder tokenizer(TrellisTokenizer t) { this.tokenizer = t; return this; }
        /** The prompt template recorded in trellis.json (default: the one the train dataset was tokenized with). */
        public Builder template(InstructionTemplate t) { this.template = t; return this; }
        /** Where training started (a directory or a built-in name), recorded in trellis.json. */
        public Builder baseModel(String b) { this.baseModel = b == null ? "" : b; return this; }
        public Builder callback(TrainerCallback c) { this.callbacks.add(Objects.requireNonNull(c)); return this; }

        public Trainer build() {
            if (model == null) {
                throw new TrainingConfigException("model", "is required; pass a CausalLM (CausalLM.load or CausalLM.create)");
            }
            if (args == null) {
                throw new TrainingConfigException("args", "is required; pass TrainingArguments.builder()...build()");
            }
            return new Trainer(this);
        }
    }
}
