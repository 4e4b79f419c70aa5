package dev.trellis.samples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.KvCache;
import dev.trellis.finetune.model.Parameter;
import dev.trellis.finetune.model.Quantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * {@code trellis bench generate --shape NAME | --model DIR}: a model decoded in float32 and a copy of
 * it quantized to int8, in one process, rounds interleaved: decode tokens/s at batch 1
 * and 4 (greedy, the KV cache, {@code newTokens} steps after a 16-token prompt, median of rounds),
 * prefill tokens/s of a 512-token prompt, and the memory-bandwidth limit measured in the same run
 * (weight bytes read per token / bytes per second). Then the peer, Jlama, on the same weights (see
 * {@link JlamaPeer}; skipped with the reason where it cannot run). Ends with one JSON line.
 */
final class QuantizedDecodeBench {

    static final int PROMPT = 16;
    static final int PREFILL = 512;
    static final long SETTLE_MILLIS = 200;

    private final String name;
    private final int newTokens;
    private final int rounds;

    QuantizedDecodeBench(String name, int newTokens, int rounds) {
        this.name = name;
        this.newTokens = newTokens;
        this.rounds = rounds;
    }

    private record Rates(double batch1, double batch4, double prefill) {
    }

    /** One decode measurement: tokens per wall-clock second and per second of this thread's CPU time. */
    private record Rate(double wall, double cpu) {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Measures {@code model} (float32) against {@code copy} (the same weights, quantized here), rounds
     * interleaving the two so that load from other processes hits both alike, then asks {@code peer} for
     * Jlama's figures on the same checkpoint (run after ours, so the two never share the cores). The caller
     * closes both models.
     */
    void run(CausalLM model, CausalLM copy, Supplier<JlamaPeer.Outcome> peer) {
        if (model.dataType() != DataType.FLOAT32) {
            throw new IllegalStateException("the bench starts from a float32 model; got " + model.dataType());
        }
        int prefill = Math.min(PREFILL, maxPositions(model) - 1);
        long fp32Bytes = fp32BytesPerToken(model);
        System.out.printf(Locale.ROOT, "trellis bench generate %s: %s, %,d parameters, %.0f MB of float32 weights read "
                        + "per token; %d cores; %d new tokens per round, %d rounds (median), fp32 and int8 interleaved%n", name,
                model.config().modelType(), model.numParameters(), fp32Bytes / 1e6,
                Runtime.getRuntime().availableProcessors(), newTokens, rounds);
        long startQuantize = System.nanoTime();
        copy.quantize(Quantization.INT8);
        double quantizeSeconds = (System.nanoTime() - startQuantize) / 1e9;
        long int8Bytes = int8BytesPerToken(copy);
        decode(model, 1, 4); // warm-up: JIT and native allocations
        decode(copy, 1, 4);
        double bandwidth = 0;
        double[][] rates = new double[4][rounds];
        double[][] cpuRates = new double[4][rounds];
        double wallSeconds = 0;
        double cpuSeconds = 0;
        for (int r = 0; r < rounds; r++) {
            bandwidth = Math.max(bandwidth, MemoryBandwidth.measure(2));
            CausalLM[] order = {model, copy, model, copy};
            for (int i = 0; i < 4; i++) {
                settle();
                long wall = System.nanoTime();
                long cpu = THREAD_CPU.getCurrentThreadCpuTime();
                Rate rate = decode(order[i], i < 2 ? 1 : 4, newTokens);
                wallSeconds += (System.nanoTime() - wall) / 1e9;
                cpuSeconds += (THREAD_CPU.getCurrentThreadCpuTime() - cpu) / 1e9;
                rates[i][r] = rate.wall();
                cpuRates[i][r] = rate.cpu();
            }
        }
        prefill(model, prefill); // warm-up: a first 512-token pass once measured 130 tokens/s where the next gave 550
        prefill(copy, prefill);
        Rates fp32 = new Rates(median(rates[0]), median(rates[2]), prefill(model, prefill));
        Rates int8 = new Rates(median(rates[1]), median(rates[3]), prefill(copy, prefill));
        Rates fp32Cpu = new Rates(median(cpuRates[0]), median(cpuRates[2]), 0);
        Rates int8Cpu = new Rates(median(cpuRates[1]), median(cpuRates[3]), 0);
        bandwidth = Math.max(bandwidth, MemoryBandwidth.measure(3));
        double share = cpuSeconds / wallSeconds;
        long peakRss = peakRssBytes();

        double fp32Limit = bandwidth / fp32Bytes;
        double int8Limit = bandwidth / int8Bytes;
        System.out.printf(Locale.ROOT, "%nmemory read bandwidth (best of this run): %.1f GB/s; quantizing took %.1f s%n%n",
                bandwidth / 1e9, quantizeSeconds);
        System.out.printf(Locale.ROOT, "%-7s %12s %14s %14s %14s %14s%n", "weights", "MB/token", "limit tok/s",
                "batch 1 tok/s", "batch 4 tok/s", "prefill tok/s");
        System.out.printf(Locale.ROOT, "%-7s %12.0f %14.1f %14.1f %14.1f %14.1f%n", "fp32", fp32Bytes / 1e6, fp32Limit,
                fp32.batch1(), fp32.batch4(), fp32.prefill());
        System.out.printf(Locale.ROOT, "%-7s %12.0f %14.1f %14.1f %14.1f %14.1f%n", "int8", int8Bytes / 1e6, int8Limit,
                int8.batch1(), int8.batch4(), int8.prefill());
        double speedup = int8.batch1() / fp32.batch1();
        double fraction = int8.batch1() / int8Limit;
        double speedupCpu = int8Cpu.batch1() / fp32Cpu.batch1();
        System.out.printf(Locale.ROOT, "%nper second of the decoding thread's CPU time (what an idle machine gives when "
                        + "PyTorch and the int8 kernel run on that thread alone): fp32 %.1f / %.1f, int8 %.1f / %.1f tokens "
                        + "at batch 1 / 4: int8 %.2fx%n", fp32Cpu.batch1(), fp32Cpu.batch4(), int8Cpu.batch1(),
                int8Cpu.batch4(), speedupCpu);
        if (share < 0.8 * Math.min(1, Runtime.getRuntime().availableProcessors())) {
            System.out.printf(Locale.ROOT, "the machine is busy: the decoding thread ran %.0f%% of the wall-clock time, "
                    + "so wall-clock rates and the bandwidth limit are lower than this machine gives when idle%n", 100 * share);
        }
        System.out.printf(Locale.ROOT, "%nint8 vs fp32 at batch 1: %.2fx (target >= 2.5x); batch 4: %.2fx; "
                        + "int8 decode at %.2f of its bandwidth limit (target >= 0.6), fp32 at %.2f of its own%n",
                speedup, int8.batch4() / fp32.batch4(), fraction, fp32.batch1() / fp32Limit);
        System.out.printf(Locale.ROOT, "peak resident memory %.0f MB, both models together (float32 parameters %.0f MB each; "
                        + "the int8 model adds %.0f MB of int8 weights and scales, kept beside its float copy for prefill)%n",
                peakRss / 1e6, model.memoryFootprint() / 1e6, copy.quantizedBytes() / 1e6);
        JlamaPeer.Outcome outcome = peer.get();
        report(outcome, fp32.batch1(), int8.batch1());
        System.out.printf(Locale.ROOT, "{\"bench\":\"generate\",\"model\":\"%s\",\"unit\":\"new tokens/s\","
                        + "\"fp32_tokens_per_s\":%.2f,\"int8_tokens_per_s\":%.2f,\"int8_speedup\":%.3f,"
                        + "\"bandwidth_fraction\":%.3f,\"fp32_batch4_tokens_per_s\":%.2f,\"int8_batch4_tokens_per_s\":%.2f,"
                        + "\"fp32_prefill_tokens_per_s\":%.1f,\"int8_prefill_tokens_per_s\":%.1f,\"prefill_tokens\":%d,"
                        + "\"bandwidth_gb_per_s\":%.2f,\"fp32_limit_tokens_per_s\":%.2f,\"int8_limit_tokens_per_s\":%.2f,"
                        + "\"fp32_bytes_per_token\":%d,\"int8_bytes_per_token\":%d,\"peak_rss_bytes\":%d,"
                        + "\"fp32_tokens_per_cpu_s\":%.2f,\"int8_tokens_per_cpu_s\":%.2f,\"int8_speedup_cpu\":%.3f,"
                        + "\"decode_thread_cpu_share\":%.3f,%s}%n",
                name, fp32.batch1(), int8.batch1(), speedup, fraction, fp32.batch4(), int8.batch4(), fp32.prefill(),
                int8.prefill(), prefill, bandwidth / 1e9, fp32Limit, int8Limit, fp32Bytes, int8Bytes, peakRss,
                fp32Cpu.batch1(), int8Cpu.batch1(), speedupCpu, share, peerJson(outcome));
    }

    /** The peer's lines of the human-readable report: its table and how Trellis compares, or why it did not run. */
    private static void report(JlamaPeer.Outcome outcome, double fp32, double int8) {
        if (outcome instanceof JlamaPeer.NotRun notRun) {
            System.out.println("peer: skipped, " + notRun.reason());
            if (!notRun.stderrTail().isBlank()) {
                System.out.println("peer stderr (last lines):");
                notRun.stderrTail().lines().forEach(line -> System.out.println("  " + line));
            }
            return;
        }
        JlamaPeer.Measured m = (JlamaPeer.Measured) outcome;
        System.out.printf(Locale.ROOT, "%npeer: %s, %d threads, same checkpoint, prompt, new tokens and rounds (took %.0f s)%n",
                m.peer(), m.threads(), m.seconds());
        System.out.printf(Locale.ROOT, "%-7s %14s %14s%n", "Jlama", "batch 1 tok/s", "prefill tok/s");
        System.out.printf(Locale.ROOT, "%-7s %14.1f %14.1f%n", "fp32", m.fp32(), m.fp32Prefill());
        System.out.printf(Locale.ROOT, "%-7s %14.1f %14.1f   (Q4 weights, %s activations; Jlama has no 8-bit weight kernel)%n",
                "q4", m.q4(), m.q4Prefill(), m.q4Activations());
        System.out.printf(Locale.ROOT, "Jlama prefill over a %d-token prompt. Trellis vs Jlama at batch 1: fp32 %.2fx, "
                + "Trellis int8 vs Jlama q4 %.2fx%n", m.prefillTokens(), fp32 / m.fp32(), int8 / m.q4());
    }

    /** The peer's fields of the JSON line; {@code peer_int8_tokens_per_s} is null because Jlama has no int8 weights. */
    private static String peerJson(JlamaPeer.Outcome outcome) {
        if (outcome instanceof JlamaPeer.NotRun notRun) {
            return "\"peer\":" + JSON.valueToTree("skipped: " + notRun.reason());
        }
        JlamaPeer.Measured m = (JlamaPeer.Measured) outcome;
        return String.format(Locale.ROOT, "\"peer\":%s,\"peer_fp32_tokens_per_s\":%.2f,\"peer_int8_tokens_per_s\":null,"
                        + "\"peer_q4_tokens_per_s\":%.2f,\"peer_fp32_prefill_tokens_per_s\":%.1f,\"peer_q4_prefill_tokens_per_s\":%.1f,"
                        + "\"peer_prefill_tokens\":%d,\"peer_q4_activations\":%s,\"peer_threads\":%d",
                JSON.valueToTree(m.peer()), m.fp32(), m.q4(), m.fp32Prefill(), m.q4Prefill(), m.prefillTokens(),
                JSON.valueToTree(m.q4Activations()), m.threads());
    }

    /** New tokens per second (all rows together) over {@code tokens} greedy steps after the prompt. */
    private static Rate decode(CausalLM model, int batch, int tokens) {
        int vocab = model.config().vocabSize();
        Random random = new Random(7);
        long[] ids = new long[batch * PROMPT];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + random.nextInt(vocab - 1);
        }
        try (NDManager m = NDManager.newBaseManager(model.device()); KvCache cache = model.newKvCache()) {
            NDArray next = greedy(model.forward(m.create(ids, new Shape(batch, PROMPT)), cache));
            long start = System.nanoTime();
            long cpu = THREAD_CPU.getCurrentThreadCpuTime();
            for (int t = 0; t < tokens; t++) {
                try (NDScope ignored = new NDScope()) {
                    NDArray chosen = greedy(model.forward(next, cache));
                    NDScope.unregister(chosen);
                    next.close();
                    next = chosen;
                }
            }
            double made = (double) batch * tokens;
            return new Rate(made / ((System.nanoTime() - start) / 1e9),
                    made / ((THREAD_CPU.getCurrentThreadCpuTime() - cpu) / 1e9));
        }
    }

    /**
     * A pause between rounds: the model measured before leaves threads spinning (PyTorch's OpenMP workers for
     * milliseconds after float32 products, the int8 kernel's for 0.2 ms), and a round should not pay for them.
     */
    private static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The last position's most likely token of each row, as [batch, 1] ids. */
    private static NDArray greedy(NDArray logits) {
        long batch = logits.getShape().get(0);
        return logits.get(":, -1, :").argMax(-1).reshape(batch, 1);
    }

    private static double prefill(CausalLM model, int tokens) {
        Random random = new Random(11);
        long[] ids = new long[tokens];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + random.nextInt(model.config().vocabSize() - 1);
        }
        try (NDManager m = NDManager.newBaseManager(model.device()); KvCache cache = model.newKvCache()) {
            NDArray input = m.create(ids, new Shape(1, tokens));
            long start = System.nanoTime();
            model.forward(input, cache).toFloatArray(); // forces the computation to finish
            return tokens / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Bytes decoding reads per token in float32: every matrix (a tied head is the embedding, read
     * whole), norms and biases; an untied input embedding is only looked up (one row).
     */
    static long fp32BytesPerToken(CausalLM model) {
        long floats = 0;
        for (Parameter p : model.parameters()) {
            if (p.kind() != Parameter.Kind.EMBEDDING || model.config().tieWordEmbeddings() && isTokenEmbedding(p)) {
                floats += p.size();
            }
        }
        return 4 * floats;
    }

    /** The same once quantized: the int8 weights and scales, plus the float parameters that stay float. */
    static long int8BytesPerToken(CausalLM model) {
        long floats = 0;
        for (Parameter p : model.parameters()) {
            boolean stillFloat = p.kind() == Parameter.Kind.NORM || p.kind() == Parameter.Kind.BIAS
                    // gpt2's Conv1D blocks do not go through the linear seam, so they stay float32
                    || "gpt2".equals(model.config().modelType()) && p.kind() == Parameter.Kind.WEIGHT
                    && !p.name().equals("lm_head.weight");
            if (stillFloat) {
                floats += p.size();
            }
        }
        return model.quantizedBytes() + 4 * floats;
    }

    private static boolean isTokenEmbedding(Parameter p) {
        return p.name().endsWith("embed_tokens.weight") || p.name().endsWith("embed_in.weight") || p.name().endsWith("wte.weight");
    }

    private static int maxPositions(CausalLM model) {
        int max = model.config().toJson().path("max_position_embeddings").asInt(0);
        if (max == 0) {
            max = model.config().toJson().path("n_positions").asInt(PREFILL + 1);
        }
        return max;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** VmHWM: the most resident memory this process has held (Linux), or 0 where it cannot be read. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
