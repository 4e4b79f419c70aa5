package dev.trellis.samples.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

import ai.djl.engine.Engine;
import dev.trellis.finetune.generate.GenerationConfig;
import dev.trellis.finetune.generate.GenerationResult;
import dev.trellis.finetune.generate.Generator;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.samples.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis bench generate}: decoding speed in new tokens per second, with the KV cache
 * (each step feeds one token) against the no-cache baseline (each step re-runs the whole sequence),
 * at 256 new tokens, on the 5M-parameter decoder (vocab 4096, d 256, 4 layers) and a smaller one.
 * Greedy decoding, end-of-sequence ignored so every run produces exactly the requested tokens.
 * Target: KV cache at least 5x the no-cache rate on the 5M model.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generation tokens/s with and without the KV cache (256 new tokens, 5M and 1M decoders).",
                "With --shape NAME or --model DIR: float32 vs int8 decoding of a real-size model at batch 1 and 4, "
                        + "prefill of a 512-token prompt, and the memory-bandwidth limit measured in the same run; "
                        + "on llama/qwen2 models Jlama decodes the same weights as a peer when a Java 21+ runtime is found."})
public final class GenerateBench implements Runnable {

    int newTokens = 256;
    private boolean newTokensGiven;

    @Option(names = "--new-tokens", description = "New tokens per generation (default: 256; 32 with --shape or --model).")
    void newTokens(int value) {
        newTokens = value;
        newTokensGiven = true;
    }

    @Option(names = "--prompt-tokens", description = "Prompt length in tokens (default: ${DEFAULT-VALUE}).")
    int promptTokens = 32;

    @Option(names = "--rounds", description = "Timed generations per row; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--batch", description = "Prompts in the batched KV-cache row (default: ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--shape", paramLabel = "NAME",
            description = "Random weights of a published model's shape: pythia-70m, SmolLM2-135M, pythia-160m, Qwen2.5-0.5B.")
    String shape;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face checkpoint directory to measure (float32 vs int8).")
    Path model;

    @Option(names = "--peer-java", paramLabel = "PATH",
            description = "A Java 21+ JDK (its home or bin/java) to run the Jlama peer on llama/qwen2 models "
                    + "(default: JAVA21_HOME, JAVA_HOME, this JVM, or the newest JDK installed).")
    Path peerJava;

    @Option(names = "--peer-timeout", paramLabel = "SECONDS",
            description = "How long the Jlama peer may run before it is stopped (default: ${DEFAULT-VALUE}).")
    long peerTimeout = 900;

    private record Spec(String name, int hidden, int layers, int heads, int intermediate) {
    }

    private record Row(String model, String mode, double tokensPerSecond) {
    }

    @Override
    public void run() {
        if (shape != null || model != null) {
            runQuantized();
            return;
        }
        List<Spec> specs = List.of(new Spec("5M (vocab 4096, d 256, 4 layers)", 256, 4, 4, 1024),
                new Spec("1M (vocab 4096, d 128, 2 layers)", 128, 2, 4, 512));
        Path dir;
        try {
            dir = Files.createTempDirectory("trellis-bench-generate");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "trellis bench generate: %d new tokens after a %d-token prompt, greedy, device %s, "
                + "%d rounds (median)%n%n", newTokens, promptTokens, Engine.getInstance().defaultDevice(), rounds);
        try {
            BpeTrainer.builder().vocabSize(4096).build().train(corpus()).save(dir);
            try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
                for (Spec spec : specs) {
                    rows.addAll(measure(spec, tokenizer));
                }
            }
        } finally {
            deleteQuietly(dir);
        }
        System.out.printf(Locale.ROOT, "%-36s %-26s %12s %8s%n", "model", "mode", "tokens/s", "vs none");
        Map<String, Double> baselineOf = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.mode().startsWith("no cache")) {
                baselineOf.put(r.model(), r.tokensPerSecond());
            }
        }
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-36s %-26s %12.1f %7.2fx%n", r.model(), r.mode(), r.tokensPerSecond(),
                    r.tokensPerSecond() / baselineOf.get(r.model()));
        }
        double base5m = rows.get(0).tokensPerSecond();
        double kv5m = rows.get(1).tokensPerSecond();
        double ratio = kv5m / base5m;
        System.out.printf(Locale.ROOT, "%nKV cache vs no cache on the 5M model at %d tokens: %.2fx (target >= 5x): %s%n",
                newTokens, ratio, ratio >= 5 ? "PASS" : "FAIL");
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"bench\":\"generate\",\"unit\":\"new tokens/s\",\"new_tokens\":%d,"
                + "\"baseline\":%.2f,\"ours\":%.2f,\"ratio\":%.3f", newTokens, base5m, kv5m, ratio));
        json.append(",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"model\":\"%s\",\"mode\":\"%s\",\"tokens_per_s\":%.2f}",
                    r.model(), r.mode(), r.tokensPerSecond()));
        }
        System.out.println(json.append("]}"));
    }

    /** float32 vs int8 on a published shape or a checkpoint (see {@link QuantizedDecodeBench}). */
    private void runQuantized() {
        if (shape != null && model != null) {
            throw new UserError("give --shape NAME or --model DIR, not both");
        }
        if (newTokens < 1 || rounds < 1) {
            throw new UserError("--new-tokens and --rounds must be at least 1; got " + newTokens + " and " + rounds);
        }
        if (peerTimeout < 1) {
            throw new UserError("--peer-timeout must be at least 1 second; got " + peerTimeout);
        }
        // The table's default of 256 new tokens is for the small decoders; real sizes get shorter rounds.
        int tokens = newTokensGiven ? newTokens : 32;
        // Found first, so that a wrong --peer-java stops the bench before minutes of measuring.
        JlamaPeer peer = JlamaPeer.onThisMachine(peerJava, java.time.Duration.ofSeconds(peerTimeout));
        if (model != null) {
            if (!Files.isDirectory(model)) {
                throw new UserError("--model " + model + " is not a directory; give a Hugging Face checkpoint directory");
            }
            try (CausalLM lm = CausalLM.load(model); CausalLM copy = CausalLM.load(model)) {
                new QuantizedDecodeBench(model.getFileName().toString(), tokens, rounds)
                        .run(lm, copy, () -> peer.measure(model, QuantizedDecodeBench.PROMPT, tokens, rounds));
            }
            return;
        }
        Map<String, Object> config = PublishedShapes.config(shape);
        Optional<String> whyNot = peer.whyNot(String.valueOf(config.get("model_type")));
        long start = System.nanoTime();
        Path saved = null;
        try (CausalLM lm = CausalLM.create(ModelConfig.fromMap(config), 1);
             CausalLM copy = lm.toDataType(ai.djl.ndarray.types.DataType.FLOAT32)) {
            System.out.printf(Locale.ROOT, "built %s with random weights (and a copy to quantize) in %.1f s%n",
                    PublishedShapes.canonical(shape), (System.nanoTime() - start) / 1e9);
            Supplier<JlamaPeer.Outcome> peerRun = () -> new JlamaPeer.NotRun(whyNot.orElseThrow());
            if (whyNot.isEmpty()) {
                // The peer decodes the very same weights: saved now, in float32, before the copy is quantized.
                saved = Files.createTempDirectory("trellis-bench-peer-checkpoint");
                Path checkpoint = saved.resolve("checkpoint");
                start = System.nanoTime();
                lm.save(checkpoint);
                System.out.printf(Locale.ROOT, "saved the weights for the peer (%s) in %.1f s%n", peer.describe(),
                        (System.nanoTime() - start) / 1e9);
                peerRun = () -> peer.measure(checkpoint, QuantizedDecodeBench.PROMPT, tokens, rounds);
            }
            new QuantizedDecodeBench(PublishedShapes.canonical(shape), tokens, rounds).run(lm, copy, peerRun);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot save the checkpoint for the Jlama peer", e);
        } finally {
            if (saved != null) {
                deleteQuietly(saved);
            }
        }
    }

    private List<Row> measure(Spec spec, HfTokenizer tokenizer) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model_type", "gpt_neox");
        cfg.put("vocab_size", 4096);
        cfg.put("hidden_size", spec.hidden());
        cfg.put("num_hidden_layers", spec.layers());
        cfg.put("num_attention_heads", spec.heads());
        cfg.put("intermediate_size", spec.intermediate());
        cfg.put("rotary_pct", 0.25);
        cfg.put("max_position_embeddings", Math.max(512, promptTokens + newTokens));
        List<Row> rows = new ArrayList<>();
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(cfg), 1)) {
            Generator generator = new Generator(model, tokenizer);
            Random random = new Random(5);
            int[] prompt = new int[promptTokens];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + random.nextInt(tokenizer.vocabSize() - 1);
            }
            GenerationConfig kv = GenerationConfig.builder().maxNewTokens(newTokens).stopAtEos(false).build();
            GenerationConfig none = kv.toBuilder().useCache(false).build();
            // Warm up both paths (JIT, native allocations).
            generator.generateIds(List.of(prompt), kv.toBuilder().maxNewTokens(16).build(), null);
            generator.generateIds(List.of(prompt), none.toBuilder().maxNewTokens(16).build(), null);

            // Rounds interleave the three modes so that load from other processes hits them alike.
            List<int[]> one = List.of(prompt);
            List<int[]> many = Collections.nCopies(batch, prompt);
            double[][] rates = new double[3][rounds];
            for (int r = 0; r < rounds; r++) {
                rates[0][r] = rate(generator, one, none);
                rates[1][r] = rate(generator, one, kv);
                rates[2][r] = rate(generator, many, kv);
            }
            String name = spec.name();
            rows.add(new Row(name, "no cache (baseline)", median(rates[0])));
            rows.add(new Row(name, "KV cache", median(rates[1])));
            rows.add(new Row(name, "KV cache, batch of " + batch, median(rates[2])));
        }
        return rows;
    }

    /** New tokens per second (all rows of the batch together) of one generation. */
    private static double rate(Generator generator, List<int[]> prompts, GenerationConfig config) {
        long start = System.nanoTime();
        List<GenerationResult> results = generator.generateIds(prompts, config, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        int tokens = results.stream().mapToInt(GenerationResult::generatedTokens).sum();
        if (tokens != prompts.size() * config.maxNewTokens()) {
            throw new IllegalStateException("expected " + prompts.size() * config.maxNewTokens() + " tokens, got " + tokens);
        }
        return tokens / seconds;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Synthetic text for the benchmark's tokenizer (speed does not depend on what the tokens mean). */
    private static List<String> corpus() {
        Random r = new Random(9);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < 400; d++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 80; w++) {
                int len = 2 + r.nextInt(7);
                for (int c = 0; c < len; c++) {
                    sb.append((char) ('a' + r.nextInt(26)));
                }
                sb.append(' ');
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("could not delete temporary directory " + dir + ": " + e.getMessage());
        }
    }
}
