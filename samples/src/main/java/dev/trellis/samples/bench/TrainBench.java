package dev.trellis.samples.bench;

import dev.trellis.framework.io.FileTrees;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.LanguageModelingLoss;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.model.Parameter;
import dev.trellis.finetune.train.IntervalStrategy;
import dev.trellis.finetune.train.SchedulerType;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.TrainerCallback;
import dev.trellis.finetune.train.TrainerState;
import dev.trellis.finetune.train.TrainingArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis bench train}: training throughput and model-FLOPs utilisation of the Trellis
 * {@link Trainer} with all its features on (AdamW, global-norm clipping, warmup + cosine schedule,
 * a log line and a metrics.jsonl entry every step) against a hand-written minimal DJL loop (forward,
 * loss, backward, plain SGD update), both on the same decoder and data, in the same process, over
 * the matrix-multiply peak measured first.
 *
 * <p>MFU = training FLOPs per token ({@link CausalLM#trainingFlopsPerToken}: 6 x the parameters in
 * matmuls, i.e. non-embedding ones plus the output head, + 12 x layers x seq x width for attention)
 * x tokens/s / measured fp32 matmul peak.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training tokens/s and MFU: Trellis Trainer (all features on) vs a minimal DJL loop, over the measured matmul peak.")
public final class TrainBench implements Runnable {

    @Option(names = "--steps", description = "timed steps per loop (default ${DEFAULT-VALUE})")
    int steps = 20;

    @Option(names = "--warmup", description = "untimed steps first (default ${DEFAULT-VALUE})")
    int warmup = 3;

    @Option(names = "--batch", description = "sequences per step (default ${DEFAULT-VALUE})")
    int batch = 8;

    @Option(names = "--seq", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seq = 256;

    @Option(names = "--hidden", description = "model width (default ${DEFAULT-VALUE})")
    int hidden = 256;

    @Option(names = "--layers", description = "decoder layers (default ${DEFAULT-VALUE})")
    int layers = 4;

    @Option(names = "--vocab", description = "vocabulary size (default ${DEFAULT-VALUE})")
    int vocab = 4096;

    @Option(names = "--matmul", description = "square matmul size for the peak (default ${DEFAULT-VALUE})")
    int matmul = 1024;

    @Override
    public void run() {
        if (warmup < 1 || steps < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--warmup and --steps must be at least 1 (got " + warmup + " and " + steps + ")");
        }
        Device device = Engine.getInstance().defaultDevice();
        ModelConfig config = config();
        System.out.printf(Locale.ROOT, "device %s, %d cores; gpt_neox vocab %d, d %d, %d layers, seq %d, batch %d; "
                        + "%d warmup + %d timed steps%n", device, Runtime.getRuntime().availableProcessors(), vocab, hidden,
                layers, seq, batch, warmup, steps);
        double peakBefore = matmulPeak(device);

        double baselineSeconds;
        double flopsPerToken;
        long params;
        long nonEmbedding;
        try (CausalLM model = CausalLM.create(config, 1, device)) {
            flopsPerToken = model.trainingFlopsPerToken(seq);
            params = model.numParameters();
            nonEmbedding = model.numNonEmbeddingParameters();
            baselineSeconds = minimalLoop(model);
        }
        double oursSeconds;
        Path out;
        try {
            out = Files.createTempDirectory("trellis-bench-train");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (CausalLM model = CausalLM.create(config, 1, device)) {
            oursSeconds = trellisTrainer(model, out);
        } finally {
            FileTrees.deleteUnchecked(out);
        }
        double peakAfter = matmulPeak(device);
        // the best of both: the machine's peak, so that load during the run lowers MFU rather than flattering it
        double peak = Math.max(peakBefore, peakAfter);
        System.out.printf(Locale.ROOT, "fp32 matmul peak (%dx%d, best of 8, before/after the loops): %.1f / %.1f GFLOP/s%n",
                matmul, matmul, peakBefore / 1e9, peakAfter / 1e9);
        long tokensPerStep = (long) batch * seq;
        double baseTps = tokensPerStep / baselineSeconds;
        double oursTps = tokensPerStep / oursSeconds;
        double baseMfu = baseTps * flopsPerToken / peak;
        double oursMfu = oursTps * flopsPerToken / peak;
        System.out.printf(Locale.ROOT, "model: %,d parameters (%,d non-embedding), %.1f MFLOP per trained token%n",
                params, nonEmbedding, flopsPerToken / 1e6);
        System.out.printf(Locale.ROOT, "%-44s %10s %12s %8s%n", "loop", "median s/step", "tokens/s", "MFU");
        System.out.printf(Locale.ROOT, "%-44s %10.3f %12.0f %8.3f%n", "minimal DJL loop (SGD, no extras)", baselineSeconds,
                baseTps, baseMfu);
        System.out.printf(Locale.ROOT, "%-44s %10.3f %12.0f %8.3f%n", "Trellis Trainer (AdamW, clip, cosine, logs)",
                oursSeconds, oursTps, oursMfu);
        System.out.printf(Locale.ROOT, "Trellis / minimal: %.2f; target Trainer MFU >= 0.5: %s%n", oursTps / baseTps,
                oursMfu >= 0.5 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "{\"bench\":\"train\",\"device\":\"%s\",\"peak_gflops\":%.1f,\"baseline_tokens_per_s\":%.1f,"
                        + "\"ours_tokens_per_s\":%.1f,\"baseline_mfu\":%.3f,\"ours_mfu\":%.3f,\"baseline\":%.4f,\"ours\":%.4f,"
                        + "\"ratio\":%.3f}%n", device, peak / 1e9, baseTps, oursTps, baseMfu, oursMfu, baselineSeconds,
                oursSeconds, oursTps / baseTps);
    }

    private ModelConfig config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt_neox");
        m.put("vocab_size", vocab);
        m.put("hidden_size", hidden);
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", Math.max(1, hidden / 64));
        m.put("intermediate_size", 4 * hidden);
        m.put("rotary_pct", 0.25);
        m.put("max_position_embeddings", seq);
        m.put("use_parallel_residual", true);
        return ModelConfig.fromMap(m);
    }

    /** Best of 8 square fp32 matmuls, in FLOP/s. */
    private double matmulPeak(Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomNormal(new Shape(matmul, matmul));
            NDArray b = m.randomNormal(new Shape(matmul, matmul));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                try (NDScope ignored = new NDScope()) {
                    long t = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.getFloat(0, 0); // forces completion (on a GPU the call is asynchronous)
                    double s = (System.nanoTime() - t) / 1e9;
                    if (i >= 2) {
                        best = Math.min(best, s);
                    }
                }
            }
            return 2.0 * matmul * matmul * matmul / best;
        }
    }

    private long[] tokens(long seed) {
        Random r = new Random(seed);
        long[] ids = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    /** The baseline: forward, loss, backward, p -= lr * g, zero the gradient; nothing else. Seconds per timed step. */
    private double minimalLoop(CausalLM model) {
        List<Parameter> params = model.parameters();
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            long[] ends = new long[warmup + steps + 1];
            ends[0] = System.nanoTime();
            for (int step = 0; step < warmup + steps; step++) {
                try (NDScope ignored = new NDScope()) {
                    NDArray ids = m.create(tokens(step), new Shape(batch, seq));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = LanguageModelingLoss.crossEntropy(model.forward(ids), ids);
                        gc.backward(loss);
                        loss.getFloat();
                    }
                    for (Parameter p : params) {
                        NDArray g = p.array().getGradient();
                        p.array().subi(g.mul(1e-3f));
                        g.subi(g);
                    }
                }
                ends[step + 1] = System.nanoTime();
            }
            return medianStep(ends);
        }
    }

    /** The Trellis Trainer with every feature on; seconds per timed step (from step-end timestamps). */
    private double trellisTrainer(CausalLM model, Path out) {
        List<TokenizedExample> examples = new ArrayList<>();
        int n = batch * (warmup + steps);
        for (int i = 0; i < n; i++) {
            long[] row = tokens(1000 + i);
            int[] ids = new int[seq];
            for (int t = 0; t < seq; t++) {
                ids[t] = (int) row[t];
            }
            examples.add(new TokenizedExample(ids, ids.clone()));
        }
        TokenizedDataset data = new TokenizedDataset(examples, 0, null, List.of());
        TrainingArguments args = TrainingArguments.builder().outputDir(out).maxSteps(warmup + steps).learningRate(1e-3)
                .perDeviceTrainBatchSize(batch).warmupSteps(warmup).lrSchedulerType(SchedulerType.COSINE)
                .weightDecay(0.01).maxGradNorm(1.0).loggingSteps(1).saveStrategy(IntervalStrategy.NO).seed(1)
                .disableTqdm(true).build();
        long[] stepEnds = new long[warmup + steps + 1];
        Trainer trainer = Trainer.builder().model(model).trainDataset(data).args(args)
                .callback(new TrainerCallback() {
                    @Override
                    public void onStepEnd(TrainingArguments a, TrainerState s) {
                        stepEnds[s.globalStep()] = System.nanoTime();
                    }
                }).build();
        trainer.train();
        return medianStep(stepEnds);
    }

    /** Median duration of the timed steps, from step-end timestamps (robust to another process stealing a core). */
    private double medianStep(long[] ends) {
        double[] d = new double[steps];
        for (int i = 0; i < steps; i++) {
            d[i] = (ends[warmup + i + 1] - ends[warmup + i]) / 1e9;
        }
        java.util.Arrays.sort(d);
        return steps % 2 == 1 ? d[steps / 2] : (d[steps / 2 - 1] + d[steps / 2]) / 2;
    }
}
