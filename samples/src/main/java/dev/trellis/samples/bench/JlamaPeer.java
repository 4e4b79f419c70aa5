package dev.trellis.samples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Jlama ({@code com.github.tjake:jlama-core}) as the peer of {@code trellis bench generate}: the same
 * llama/qwen2 checkpoint decoded by Jlama in a child Java 21+ process (Jlama's classes need 21+, Trellis
 * runs on 17). The build puts Jlama's jars and the program it runs, {@code JlamaDecode.java}, in
 * {@code jlama/} beside trellis.jar (module jlama-peer); this finds a Java 21+ runtime
 * ({@link JavaRuntimeFinder}), lays the checkpoint out as Jlama loads it, runs the program with the
 * single-file source launcher and reads its one result line. Anything missing is a reason to skip, never
 * a failure of the bench.
 */
final class JlamaPeer {

    static final int MIN_JAVA = 21;
    /** The source launcher compiles JlamaDecode.java; Jlama's kernels are the Vector API. */
    static final List<String> MODULES = List.of("jdk.compiler", "jdk.incubator.vector");
    static final String PROGRAM = "JlamaDecode.java";
    static final String RESULT = "JLAMA_RESULT ";
    /** Jlama's float32 prefill runs ~25 tokens/s here: 128 tokens keep it to seconds, not the minutes 512 would take. */
    static final int PREFILL = 128;
    static final Set<String> ARCHITECTURES = Set.of("llama", "qwen2");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CORE_JAR = Pattern.compile("jlama-core-(.+)\\.jar");
    private static final int STDERR_LINES = 25;

    /** What became of the peer: measured, or not run and why (with the child's stderr when it failed). */
    sealed interface Outcome permits Measured, NotRun {
    }

    /**
     * Jlama's figures: float32 and its quantized model (Q4 weights; activations I8 or F32 as Jlama chose),
     * decode tokens/s at batch 1 and prefill tokens/s of a {@code prefillTokens} prompt.
     */
    record Measured(String peer, double fp32, double q4, double fp32Prefill, double q4Prefill, int prefillTokens,
                    String q4Activations, int threads, double seconds) implements Outcome {
    }

    record NotRun(String reason, String stderrTail) implements Outcome {
        NotRun(String reason) {
            this(reason, "");
        }
    }

    private final Optional<JavaRuntimeFinder.JavaRuntime> java;
    private final String whyNoJava;
    private final Path jars;
    private final Duration timeout;

    JlamaPeer(JavaRuntimeFinder.Search java, Path jars, Duration timeout) {
        this.java = java.runtime();
        this.whyNoJava = java.why();
        this.jars = jars;
        this.timeout = timeout;
    }

    /** The peer on this machine: {@code --peer-java} or the first Java 21+ found, and the jars beside trellis.jar. */
    static JlamaPeer onThisMachine(Path peerJava, Duration timeout) {
        JavaRuntimeFinder.Search java = JavaRuntimeFinder.onThisMachine(MIN_JAVA, MODULES).find(peerJava, "--peer-java");
        return new JlamaPeer(java, defaultJars(), timeout);
    }

    /** {@code jlama/} beside trellis.jar (or beside target/classes when run from the build). */
    static Path defaultJars() {
        try {
            Path codeSource = Path.of(JlamaPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return codeSource.toAbsolutePath().getParent().resolve("jlama");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("samples", "target", "jlama").toAbsolutePath();
        }
    }

    /** Why the peer cannot run on a {@code modelType} checkpoint here, or empty when it can. */
    Optional<String> whyNot(String modelType) {
        if (!ARCHITECTURES.contains(modelType)) {
            return Optional.of("Jlama does not run " + modelType + " (the peer runs on " + ARCHITECTURES.stream().sorted().toList()
                    + " checkpoints)");
        }
        if (java.isEmpty()) {
            return Optional.of("Jlama needs Java " + MIN_JAVA + "+: " + whyNoJava + "; give one with --peer-java PATH");
        }
        if (coreVersion().isEmpty() || !Files.isRegularFile(jars.resolve(PROGRAM))) {
            return Optional.of("Jlama's jars and " + PROGRAM + " are not in " + jars
                    + "; the build puts them there (mvn -B -q -DskipTests package)");
        }
        return Optional.empty();
    }

    /** "jlama-core 0.8.4 on Java 25", for the report; valid once {@link #whyNot} is empty. */
    String describe() {
        return "jlama-core " + coreVersion().orElse("?") + " on Java " + java.map(r -> String.valueOf(r.feature())).orElse("?");
    }

    /** The Java the peer runs on, for the report. */
    Optional<JavaRuntimeFinder.JavaRuntime> runtime() {
        return java;
    }

    private Optional<String> coreVersion() {
        try (Stream<Path> files = Files.list(jars)) {
            return files.map(p -> CORE_JAR.matcher(p.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> m.group(1)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs Jlama on {@code checkpoint} (a Hugging Face directory of a llama or qwen2 model in float32 or
     * bfloat16): {@code newTokens} greedy steps after a {@code prompt}-token prompt, median of
     * {@code rounds}. Works in a temporary folder it deletes, whatever happens.
     */
    Outcome measure(Path checkpoint, int prompt, int newTokens, int rounds) {
        JsonNode config = readConfig(checkpoint);
        Optional<String> whyNot = whyNot(config.path("model_type").asText("?"));
        if (whyNot.isPresent()) {
            return new NotRun(whyNot.get());
        }
        Path work;
        try {
            work = Files.createTempDirectory("trellis-jlama-peer");
        } catch (IOException e) {
            return new NotRun("cannot create a temporary folder for Jlama: " + e.getMessage());
        }
        try {
            Path model = work.resolve("model");
            try {
                layOut(checkpoint, config, model);
                Files.createDirectories(work.resolve("tmp"));
            } catch (IOException e) {
                return new NotRun("cannot lay out " + checkpoint + " for Jlama in " + work + ": " + e.getMessage());
            }
            try {
                return run(model, work, prompt, newTokens, rounds);
            } catch (IOException e) {
                return new NotRun("cannot run Jlama with " + java.orElseThrow().java() + ": " + e.getMessage());
            }
        } finally {
            deleteQuietly(work);
        }
    }

    private Outcome run(Path model, Path work, int prompt, int newTokens, int rounds) throws IOException {
        List<String> command = new ArrayList<>(List.of(java.orElseThrow().java().toString(),
                "--add-modules", "jdk.incubator.vector",
                // Jlama's quantizer writes a scratch copy of the weights to the temporary folder: keep it in ours.
                "-Djava.io.tmpdir=" + work.resolve("tmp"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", jars + File.separator + "*", jars.resolve(PROGRAM).toString(),
                model.toString(), work.resolve("q4").toString(), String.valueOf(prompt), String.valueOf(newTokens),
                String.valueOf(rounds), String.valueOf(PREFILL)));
        Path stdout = work.resolve("stdout.txt");
        Path stderr = work.resolve("stderr.txt");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        // Ctrl-C on the bench must not leave Jlama decoding on its own.
        Thread reaper = new Thread(() -> stop(process));
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                stop(process);
                return new NotRun("Jlama did not finish within " + timeout.toSeconds() + " s (--peer-timeout); stopped it",
                        tail(stderr));
            }
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            return new NotRun("interrupted while Jlama ran; stopped it");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the process
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (process.exitValue() != 0) {
            return new NotRun("Jlama failed (exit " + process.exitValue() + "); its stderr ends with the lines shown",
                    tail(stderr));
        }
        Optional<String> line = Files.readAllLines(stdout, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith(RESULT)).findFirst();
        if (line.isEmpty()) {
            return new NotRun("Jlama ended without its " + RESULT.strip() + " line", tail(stderr));
        }
        JsonNode r = JSON.readTree(line.get().substring(RESULT.length()));
        return new Measured(describe(), r.path("fp32_tokens_per_s").asDouble(), r.path("q4_tokens_per_s").asDouble(),
                r.path("fp32_prefill_tokens_per_s").asDouble(), r.path("q4_prefill_tokens_per_s").asDouble(),
                r.path("prefill_tokens").asInt(), r.path("q4_activations").asText(), r.path("threads").asInt(), seconds);
    }

    /** Kills the child and anything it started, and waits briefly for it to go. */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code source} as Jlama loads it, in {@code dir}: its weights linked, its config.json with the keys
     * Jlama's config classes require (bos and eos token ids; qwen2's eos a single id), its tokenizer or, for
     * a checkpoint without one (the bench's random-weight shapes), a {@link SyntheticTokenizer} of the
     * vocabulary's size, and a README.md (Jlama's quantizer copies one).
     */
    static void layOut(Path source, JsonNode config, Path dir) throws IOException {
        Files.createDirectories(dir);
        boolean hasTokenizer = Files.isRegularFile(source.resolve("tokenizer.json"));
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                boolean weights = name.endsWith(".safetensors") || name.equals("model.safetensors.index.json");
                boolean tokenizer = hasTokenizer && (name.equals("tokenizer.json") || name.equals("tokenizer_config.json"));
                if (weights || tokenizer) {
                    link(dir.resolve(name), file);
                }
            }
        }
        if (!hasTokenizer) {
            SyntheticTokenizer.ofSize(config.path("vocab_size").asInt()).save(dir);
        }
        ObjectNode patched = ((ObjectNode) config).deepCopy();
        for (String key : List.of("bos_token_id", "eos_token_id")) {
            JsonNode value = patched.path(key);
            if (value.isArray()) {
                patched.put(key, value.size() == 0 ? 0 : value.get(0).asInt());
            } else if (!value.isIntegralNumber()) {
                patched.put(key, 0); // unused: the peer decodes a fixed number of tokens, whatever it samples
            }
        }
        if (!patched.has("num_key_value_heads")) {
            patched.set("num_key_value_heads", patched.path("num_attention_heads"));
        }
        if (!patched.hasNonNull("hidden_act")) {
            patched.put("hidden_act", "silu");
        }
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(patched));
        Files.writeString(dir.resolve("README.md"), "A checkpoint laid out by trellis bench generate for its Jlama peer.\n");
    }

    static JsonNode readConfig(Path checkpoint) {
        try {
            JsonNode config = JSON.readTree(checkpoint.resolve("config.json").toFile());
            if (!config.isObject()) {
                throw new IOException("not a JSON object");
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + checkpoint.resolve("config.json"), e);
        }
    }

    /** A symbolic link, or a copy where the file system has none. */
    private static void link(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target.toAbsolutePath());
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The last lines of the child's stderr, for the failure message. */
    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()));
        } catch (IOException e) {
            return "(its stderr could not be read: " + e.getMessage() + ")";
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete temporary folder " + dir + ": " + e.getMessage());
        }
    }
}
