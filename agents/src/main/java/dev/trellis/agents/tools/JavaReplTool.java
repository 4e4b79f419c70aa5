package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.trellis.agents.tools.sandbox.JavaRuntimes;
import dev.trellis.agents.tools.sandbox.JavaSandboxException;
import dev.trellis.agents.tools.sandbox.SandboxProcess;
import dev.trellis.agents.tools.sandbox.SandboxResult;
import dev.trellis.agents.tools.sandbox.SandboxSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java REPL for agents, LangChain's Python REPL tool for Java: the model writes Java statements
 * and declarations, JShell runs them, and what they print comes back as the observation. Variables,
 * methods and classes persist between calls, like a REPL session. Off unless the user adds it.
 *
 * <pre>{@code
 * try (JavaReplTool java = JavaReplTool.builder().timeout(Duration.ofSeconds(10)).build()) {
 *     java.run("var xs = new ArrayList<>(List.of(3, 1, 2)); Collections.sort(xs); System.out.println(xs);"); // "[1, 2, 3]"
 * }
 * }</pre>
 *
 * <h2>The sandbox and what it guarantees</h2>
 * Snippets run in a separate JVM (by default the host's own {@code java} binary), never in the host.
 * Inside that JVM, JShell compiles each snippet and loads it with an untrusted class loader; a
 * {@link SecurityManager} with a policy that trusts everything except that loader's classes checks
 * every sensitive JDK operation against the permissions of every frame on the call stack, so the
 * rules hold when a snippet reaches files or sockets through JDK or library code, from threads it
 * starts, or through reflection (the sandbox does not rely on a denylist of method names):
 * <ul>
 *   <li><b>files</b>: read, write and delete only inside the scratch directory (a fresh temporary
 *       directory per tool, deleted on {@link #close()}, and the JVM's working directory, so relative
 *       paths land there); paths are canonicalised first, so {@code ../} and symlinks do not escape, and
 *       creating links is refused;</li>
 *   <li><b>network</b>: no sockets, no connections, no DNS lookups; on Linux where user namespaces are
 *       allowed the JVM also runs in an empty network namespace ({@code unshare -rn});</li>
 *   <li><b>processes and the JVM</b>: no {@code ProcessBuilder}/{@code Runtime.exec}, no
 *       {@code System.exit}/{@code Runtime.halt}, no native libraries, no new class loaders, no
 *       reflection into private members of other code, no replacing System.out, no environment
 *       variables (the JVM also starts with an empty environment, so the host's API keys are not there);</li>
 *   <li><b>time</b>: a wall-clock limit per call, compilation included; past it the host kills the
 *       sandbox JVM's process tree, and the next call starts a fresh session. A thread a snippet
 *       started that is still running (not idle) shortly after the snippet ends is stopped the same
 *       way, so no computation outlives its call; idle ones (an executor waiting for work) may stay;</li>
 *   <li><b>memory</b>: the heap is capped ({@code -Xmx}, default 256 MB), metaspace at 256 MB,
 *       direct buffers at 16 MB and threads at 64; running out is reported as a memory-limit
 *       observation, and the session restarts when the heap stays full;</li>
 *   <li><b>output</b>: printing past the cap stops the snippet; the host also rejects any answer
 *       larger than the cap allows.</li>
 * </ul>
 * Each refusal comes back in the observation as a {@code refused: ...} line naming what was refused,
 * even if the snippet caught the exception, and the agent can go on. The host is never touched: it
 * only reads framed answers from the child's stdout and kills the child when anything goes wrong.
 * Classes from {@link Builder#classpath(List)} are as untrusted as snippets.
 *
 * <p><b>What it does not guarantee.</b> CPU use is bounded by the time limit only (and idle threads
 * may stay between calls); disk use inside the scratch directory is not capped; snippets may read
 * system properties and use the JDK's classes freely; native memory beyond the limits above (code
 * cache, thread stacks within the thread cap) is not bounded; a snippet can disturb its own sandbox
 * JVM (the host then sees a crash or timeout and starts a fresh one). The security manager is
 * deprecated but fully implemented in Java 17-23; for hostile code at scale, run the host in an
 * OS-level container as well.
 *
 * <p><b>Runtimes.</b> The sandbox JVM must be Java 17-23. Java 24 removed the security manager (JEP
 * 486): on such a runtime the tool refuses to run any snippet, throwing {@link JavaSandboxException}
 * from {@link Builder#build()} with the reason, rather than run code unconfined; point
 * {@link Builder#javaExecutable(Path)} at a 17-23 {@code java} to use it from a newer host. The
 * sandbox JVM checks again itself and refuses to serve if its security manager is not in force.
 *
 * <p>Calls are serialised: one snippet runs at a time per tool. The sandbox JVM starts on the first
 * call (about a second) and lives until {@link #close()}.
 */
public final class JavaReplTool implements AgentTool, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JavaReplTool.class);
    private static final Pattern FENCED = Pattern.compile("```[ \\t]*[\\w+#.-]*[ \\t]*\\R(.*?)(?:\\R[ \\t]*```|```|\\z)", Pattern.DOTALL);

    private final SandboxSettings settings;
    private final Duration timeout;
    private final boolean ownsScratch;
    private final Object lock = new Object();
    private volatile SandboxProcess process;
    private volatile boolean closed;

    private JavaReplTool(Builder builder, SandboxSettings settings, boolean ownsScratch) {
        this.settings = settings;
        this.timeout = builder.timeout;
        this.ownsScratch = ownsScratch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A tool with the default limits: 10 s per call, 256 MB heap, 32 KB of output, a fresh scratch directory. */
    public static JavaReplTool create() {
        return builder().build();
    }

    @Override
    public String name() {
        return "java_repl";
    }

    @Override
    public String description() {
        return "A Java REPL (JShell). Use it to compute, sort, filter or transform data with code. "
                + "Input: Java statements and declarations, no class or main method needed; variables, methods "
                + "and classes you define stay available in later calls. java.util, java.util.stream, java.util.concurrent, java.io, "
                + "java.nio.file, java.math and java.time are imported. Only what you print is returned, so print "
                + "results with System.out.println(...). It is a sandbox: files only in the current directory, no "
                + "network, no processes, no System.exit, " + describe(timeout) + " and "
                + settings.maxHeapMegabytes() + " MB per call.";
    }

    @Override
    public ToolSpecification specification() {
        return ToolSpecification.builder()
                .name(name())
                .description(description())
                .parameters(JsonObjectSchema.builder()
                        .addStringProperty("input", "Java statements and declarations to run; print results with System.out.println")
                        .required("input")
                        .build())
                .build();
    }

    /**
     * Runs the model's Java code and returns what it printed, plus a line for each refusal, error or
     * limit hit. Markdown code fences around the code are removed.
     *
     * @throws JavaSandboxException  when the sandbox cannot be started or enforced on this runtime
     * @throws IllegalStateException when the tool was closed
     */
    @Override
    public String run(String input) {
        String code = stripCodeFences(input);
        if (code.isBlank()) {
            return "error: the input had no Java code; send Java statements such as System.out.println(6 * 7);";
        }
        synchronized (lock) {
            ensureOpen();
            String note = "";
            if (process != null && !process.isAlive()) {
                process.close();
                process = null;
                note = "note: the Java session had stopped, so a new one was started; earlier variables and methods are gone\n";
            }
            if (process == null) {
                process = SandboxProcess.start(settings);
            }
            SandboxResult result = process.evaluate(code, timeout);
            if (result.sessionLost()) {
                process.close();
                process = null;
            }
            ensureOpen(); // a close() from another thread ends the call with an exception, not a half result
            return note + observation(result);
        }
    }

    private String observation(SandboxResult result) {
        List<String> lines = new ArrayList<>();
        String output = result.output();
        if (!output.isEmpty()) {
            lines.add(output.endsWith("\n") ? output.substring(0, output.length() - 1) : output);
        }
        for (String refusal : result.refusals()) {
            lines.add("refused: " + refusal);
        }
        String restarted = "; the Java session was restarted, so earlier variables and methods are gone";
        switch (result.outcome()) {
            case COMPLETED:
                break;
            case COMPILE_ERROR:
                lines.add("error: the code did not compile: " + result.detail());
                break;
            case EXCEPTION:
                if (!result.detail().isEmpty()) {
                    lines.add("error: " + result.detail());
                }
                break;
            case OUTPUT_LIMIT:
                lines.add("refused: the output passed the " + settings.maxOutputBytes() + "-byte limit and the code "
                        + "was stopped there; print less (a summary, or the first lines)");
                break;
            case OUT_OF_MEMORY:
                lines.add("refused: the code ran out of the sandbox's " + settings.maxHeapMegabytes() + " MB memory limit ("
                        + firstLine(result.detail()) + ")" + (result.sessionLost() ? restarted : ""));
                break;
            case TIMED_OUT:
                lines.add("refused: the code ran longer than the " + describe(timeout) + " time limit and was stopped"
                        + restarted);
                break;
            case PROCESS_DIED:
                lines.add("error: " + result.detail() + restarted);
                break;
            default:
                throw new IllegalStateException("unknown outcome " + result.outcome());
        }
        if (result.sessionLost() && lines.stream().noneMatch(line -> line.contains(restarted))) {
            lines.add("note" + restarted.replaceFirst("^;", ":"));
        }
        if (lines.isEmpty()) {
            return "(no output; print results with System.out.println)";
        }
        return String.join("\n", lines);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /**
     * The code inside the first markdown code fence ({@code ```java ... ```}), or the text itself when
     * there is none; single backticks around a one-liner are removed too.
     */
    static String stripCodeFences(String input) {
        if (input == null) {
            return "";
        }
        String text = input.strip();
        Matcher fenced = FENCED.matcher(text);
        if (fenced.find()) {
            return fenced.group(1).strip();
        }
        if (text.length() > 1 && text.startsWith("`") && text.endsWith("`")) {
            return text.substring(1, text.length() - 1).strip();
        }
        return text;
    }

    /** The directory snippets may read and write (also their working directory). */
    public Path scratchDirectory() {
        return settings.scratchDirectory();
    }

    /** Starts the sandbox JVM now instead of on the first call, so a runtime that cannot enforce it fails early. */
    public JavaReplTool start() {
        synchronized (lock) {
            ensureOpen();
            if (process == null || !process.isAlive()) {
                process = SandboxProcess.start(settings);
            }
        }
        return this;
    }

    /**
     * Stops the sandbox JVM and deletes the scratch directory if this tool created it. A call running
     * in another thread ends with {@link IllegalStateException}.
     *
     * @throws UncheckedIOException when the scratch directory cannot be deleted
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SandboxProcess running = process; // read without the lock: a running call holds it
        if (running != null) {
            running.close();
        }
        synchronized (lock) {
            if (process != null) {
                process.close();
                process = null;
            }
        }
        if (ownsScratch) {
            deleteRecursively(settings.scratchDirectory());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("JavaReplTool is closed; build a new one with JavaReplTool.builder()");
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    dir.toFile().setWritable(true, true); // a snippet may have made its own directories read-only
                    dir.toFile().setExecutable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the Java REPL scratch directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** Options for {@link JavaReplTool}; every one has a safe default. */
    public static final class Builder {

        private Duration timeout = Duration.ofSeconds(10);
        private Duration startupTimeout = Duration.ofSeconds(60);
        private int maxHeapMegabytes = 256;
        private int maxOutputBytes = 32 * 1024;
        private Path scratchDirectory;
        private List<Path> classpath = List.of();
        private Path javaExecutable;
        private boolean isolateNetwork = true;

        private Builder() {
        }

        /** Wall-clock limit per call, compilation included (default 10 s). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout " + timeout + " must be positive, e.g. Duration.ofSeconds(10)");
            }
            this.timeout = timeout;
            return this;
        }

        /** How long the sandbox JVM may take to start (default 60 s, generous for busy machines). */
        public Builder startupTimeout(Duration startupTimeout) {
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout " + startupTimeout + " must be positive, e.g. Duration.ofSeconds(60)");
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** The sandbox JVM's heap limit in megabytes, {@code -Xmx} (default 256). */
        public Builder maxHeapMegabytes(int maxHeapMegabytes) {
            if (maxHeapMegabytes < 32) {
                throw new IllegalArgumentException("maxHeapMegabytes " + maxHeapMegabytes + " is too small: the sandbox JVM "
                        + "runs the Java compiler and needs at least 32 MB; use 128 or more");
            }
            this.maxHeapMegabytes = maxHeapMegabytes;
            return this;
        }

        /** How many bytes a call may print before it is stopped (default 32 KB). */
        public Builder maxOutputBytes(int maxOutputBytes) {
            if (maxOutputBytes < 1) {
                throw new IllegalArgumentException("maxOutputBytes " + maxOutputBytes + " must be at least 1, e.g. 32768");
            }
            this.maxOutputBytes = maxOutputBytes;
            return this;
        }

        /**
         * The directory snippets may use, created if missing and kept on close (default: a fresh
         * temporary directory, deleted on close). Everything outside it is off limits.
         */
        public Builder scratchDirectory(Path scratchDirectory) {
            this.scratchDirectory = Objects.requireNonNull(scratchDirectory, "scratchDirectory");
            return this;
        }

        /** Extra jars or class directories snippets may use; their code is as confined as the snippets. */
        public Builder classpath(List<Path> classpath) {
            this.classpath = List.copyOf(classpath);
            return this;
        }

        /** The {@code java} binary of a Java 17-23 runtime for the sandbox JVM (default: the host's own). */
        public Builder javaExecutable(Path javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /** Whether to add an empty network namespace where the OS allows it (default true). */
        public Builder isolateNetwork(boolean isolateNetwork) {
            this.isolateNetwork = isolateNetwork;
            return this;
        }

        /**
         * Creates the tool and its scratch directory; the sandbox JVM starts on the first call (or {@link JavaReplTool#start()}).
         *
         * @throws JavaSandboxException when the chosen runtime cannot enforce the sandbox (Java 24 or later)
         */
        public JavaReplTool build() {
            for (Path entry : classpath) {
                if (!Files.exists(entry)) {
                    throw new IllegalArgumentException("classpath entry " + entry + " does not exist; give jars or class directories");
                }
            }
            Path java = javaExecutable != null ? javaExecutable : JavaRuntimes.current();
            int feature = JavaRuntimes.featureVersion(java);
            if (feature < 17 || feature >= 24) {
                throw new JavaSandboxException("the Java sandbox needs a Java 17-23 runtime to enforce its limits, but " + java
                        + " is Java " + feature + (feature >= 24 ? " (JDK 24 removed the SecurityManager, JEP 486)" : "")
                        + "; pass a Java 17-23 bin/java to JavaReplTool.builder().javaExecutable(...)");
            }
            boolean owns = scratchDirectory == null;
            Path scratch;
            try {
                scratch = owns ? Files.createTempDirectory("trellis-java-repl-") : Files.createDirectories(scratchDirectory);
                scratch = scratch.toRealPath(); // canonical, as the sandbox compares canonical paths
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the Java REPL scratch directory "
                        + (scratchDirectory == null ? "in " + System.getProperty("java.io.tmpdir") : scratchDirectory) + ": " + e.getMessage(), e);
            }
            SandboxSettings settings = new SandboxSettings(java, scratch, maxHeapMegabytes, maxOutputBytes, classpath,
                    startupTimeout, isolateNetwork);
            log.debug("Java REPL tool: scratch {}, java {}", scratch, java);
            return new JavaReplTool(this, settings, owns);
        }
    }
}
