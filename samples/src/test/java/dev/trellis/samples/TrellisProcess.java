package dev.trellis.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts the built {@code samples/target/trellis.jar} as a user's {@code ./trellis} would: a child
 * JVM with the launcher's flags, no API key in its environment, and its own Trellis home.
 */
final class TrellisProcess {

    /** What a finished run printed and returned. */
    record Result(int exitCode, String stdout, String stderr, Duration took) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + took.toMillis() + " ms\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }

    private final Path jar;
    private final Path home;
    private final Map<String, String> environment = new LinkedHashMap<>();

    TrellisProcess(Path home) {
        String property = System.getProperty("trellis.jar");
        this.jar = Path.of(property != null ? property : "target/trellis.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run in `mvn verify`, after `package` builds it");
        }
        this.home = home;
    }

    /** Sets an environment variable of the child (e.g. {@code OPENAI_BASE_URL} of a test server). */
    TrellisProcess env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    Result run(String stdin, Duration timeout, String... args) {
        return run(stdin, timeout, null, args);
    }

    /** Runs until {@code killWhen} holds (checked every 20 ms), then kills the child as {@code kill -9} would. */
    Result runAndKill(java.util.function.BooleanSupplier killWhen, Duration timeout, String... args) {
        return run(null, timeout, killWhen, args);
    }

    private Result run(String stdin, Duration timeout, java.util.function.BooleanSupplier killWhen, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The flags ./trellis passes on Java 17 (on 21+ it also lifts Lucene's Java version cap).
        command.addAll(List.of("-Dai.djl.offline=true", "-Xss4m", "--add-modules", "jdk.incubator.vector", "-Dtrellis.home=" + home));
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("TRELLIS_"));
        env.put("TRELLIS_HOME", home.toString());
        env.putAll(environment);
        long start = System.nanoTime();
        try {
            Process process = builder.start();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (killWhen != null) {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (process.isAlive() && !killWhen.getAsBoolean() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (process.isAlive() && killWhen.getAsBoolean()) {
                    process.destroyForcibly().waitFor();
                    return new Result(process.exitValue(), out.join(), err.join(), Duration.ofNanos(System.nanoTime() - start));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("trellis " + String.join(" ", args) + " ran past its budget of " + timeout
                        + "\n--- stdout ---\n" + out.join() + "\n--- stderr ---\n" + err.join());
            }
            return new Result(process.exitValue(), out.join(), err.join(), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running trellis", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> {
            // A thread per stream: the common pool may have one thread, and a full pipe would block the child.
            Thread thread = new Thread(task, "trellis-output");
            thread.setDaemon(true);
            thread.start();
        });
    }
}
