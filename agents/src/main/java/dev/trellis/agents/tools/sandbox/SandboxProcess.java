package dev.trellis.agents.tools.sandbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One sandbox JVM, seen from the host: starts it, sends it snippets, and enforces the limits the
 * child cannot be trusted to enforce on itself. The wall-clock limit kills the child's whole
 * process tree; frames larger than the output cap allows are a protocol error and also kill it; an
 * exit or crash of the child becomes a {@link SandboxResult.Outcome#PROCESS_DIED} result. Nothing the
 * child does can throw into the host beyond this class's documented exceptions.
 */
public final class SandboxProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxProcess.class);
    private static final Object END_OF_STREAM = new Object();
    private static final int STDERR_TAIL_CHARS = 4_000;
    private static volatile Boolean networkNamespaceWorks;

    private final SandboxSettings settings;
    private final Process process;
    private final DataOutputStream toChild;
    private final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    private final StringBuilder stderrTail = new StringBuilder();
    private final boolean networkIsolated;
    private String javaVersion = "";
    private volatile boolean dead;

    private SandboxProcess(SandboxSettings settings, Process process, boolean networkIsolated) {
        this.settings = settings;
        this.process = process;
        this.networkIsolated = networkIsolated;
        this.toChild = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
    }

    /**
     * Starts a sandbox JVM and waits until it is ready to run snippets.
     *
     * @throws JavaSandboxException when the runtime cannot enforce the sandbox (not Java 17-23), or the JVM
     *                              does not start, or it refuses to run (its security manager could not be installed)
     */
    public static SandboxProcess start(SandboxSettings settings) {
        int feature = JavaRuntimes.featureVersion(settings.javaExecutable());
        if (feature < 17) {
            throw new JavaSandboxException("the sandbox needs Java 17-23, but " + settings.javaExecutable() + " is Java " + feature);
        }
        if (feature >= 24) {
            throw new JavaSandboxException("the Java sandbox cannot be enforced on Java " + feature + ": JDK 24 removed the "
                    + "SecurityManager (JEP 486) it relies on, and it refuses to run code unconfined; install a Java 17-23 "
                    + "runtime and pass its bin/java to JavaReplTool.builder().javaExecutable(...) (now: "
                    + settings.javaExecutable() + ")");
        }
        boolean isolate = settings.isolateNetwork() && networkNamespaceAvailable();
        List<String> command = command(settings, feature, isolate);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(settings.scratchDirectory().toFile());
            builder.environment().clear(); // no API keys or tokens from the host's environment
            process = builder.start();
        } catch (IOException e) {
            throw new JavaSandboxException("cannot start the sandbox JVM " + settings.javaExecutable() + ": " + e.getMessage(), e);
        }
        SandboxProcess sandbox = new SandboxProcess(settings, process, isolate);
        sandbox.startPumps();
        sandbox.awaitReady();
        log.debug("sandbox JVM pid {} ready (Java {}, network namespace: {})", process.pid(), sandbox.javaVersion, isolate);
        return sandbox;
    }

    private static List<String> command(SandboxSettings settings, int feature, boolean isolate) {
        List<String> command = new ArrayList<>();
        if (isolate) {
            command.addAll(List.of(unshareBinary().toString(), "--map-root-user", "--net", "--"));
        }
        String scratch = settings.scratchDirectory().toString();
        command.addAll(List.of(
                settings.javaExecutable().toString(),
                "-Xmx" + settings.maxHeapMegabytes() + "m",
                "-XX:MaxMetaspaceSize=256m",
                "-XX:MaxDirectMemorySize=16m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:+DisplayVMOutputToStderr", // keep VM messages off the protocol's stdout
                "-XX:+DisableAttachMechanism",
                "-XX:-UsePerfData",
                "-Djava.security.manager=allow", // required to install one at run time on 18-23, accepted by 17
                "-Djdk.io.permissionsUseCanonicalPath=true", // symlinks and ../ resolve before the scratch check
                "-Djava.io.tmpdir=" + scratch,
                "-Djava.awt.headless=true",
                "-Dfile.encoding=UTF-8",
                "-cp", SandboxClasses.classpath(),
                SandboxMain.class.getName(),
                scratch,
                Integer.toString(settings.maxOutputBytes()),
                settings.classpath().stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)),
                Long.toString(ProcessHandle.current().pid())));
        return command;
    }

    /** Whether {@code unshare -rn} works here (Linux, user namespaces allowed); asked once per host JVM. */
    static boolean networkNamespaceAvailable() {
        Boolean known = networkNamespaceWorks;
        if (known != null) {
            return known;
        }
        boolean works = false;
        Path unshare = unshareBinary();
        if (System.getProperty("os.name", "").toLowerCase().contains("linux") && unshare != null) {
            try {
                Process probe = new ProcessBuilder(unshare.toString(), "--map-root-user", "--net", "--", "true")
                        .redirectErrorStream(true).start();
                probe.getInputStream().readAllBytes();
                works = probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
                if (probe.isAlive()) {
                    probe.destroyForcibly();
                }
            } catch (IOException e) {
                works = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.debug("network namespace for the Java sandbox: {}", works ? "available" : "not available");
        networkNamespaceWorks = works;
        return works;
    }

    private static Path unshareBinary() {
        for (String candidate : List.of("/usr/bin/unshare", "/bin/unshare")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    private void startPumps() {
        long maxFrame = settings.maxOutputBytes() + 64L * 1024;
        DataInputStream fromChild = new DataInputStream(new BufferedInputStream(process.getInputStream()));
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    List<String> frame = Wire.read(fromChild, maxFrame);
                    if (frame.isEmpty()) {
                        frames.add(END_OF_STREAM);
                        return;
                    }
                    frames.add(frame);
                }
            } catch (IOException broken) {
                frames.add(broken);
            }
        }, "trellis-sandbox-reader-" + process.pid());
        reader.setDaemon(true);
        reader.start();

        InputStream stderr = process.getErrorStream();
        Thread errors = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = stderr.read(buffer)) >= 0) {
                    synchronized (stderrTail) {
                        stderrTail.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        if (stderrTail.length() > 2 * STDERR_TAIL_CHARS) {
                            stderrTail.delete(0, stderrTail.length() - STDERR_TAIL_CHARS);
                        }
                    }
                }
            } catch (IOException closed) {
                // the child is gone; its stderr has nothing more to say
            }
        }, "trellis-sandbox-stderr-" + process.pid());
        errors.setDaemon(true);
        errors.start();
    }

    private void awaitReady() {
        Object first;
        try {
            first = frames.poll(settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new JavaSandboxException("interrupted while the sandbox JVM was starting", e);
        }
        if (first == null) {
            kill();
            throw new JavaSandboxException("the sandbox JVM was not ready within " + settings.startupTimeout().toSeconds()
                    + " s; raise startupTimeout if the machine is busy" + stderrNote());
        }
        if (first instanceof List) {
            List<?> frame = (List<?>) first;
            if (SandboxMain.READY.equals(frame.get(0)) && frame.size() == 2) {
                javaVersion = (String) frame.get(1);
                return;
            }
            kill();
            if (SandboxMain.REFUSED.equals(frame.get(0)) && frame.size() == 2) {
                throw new JavaSandboxException("the Java sandbox refused to start: " + frame.get(1));
            }
            throw new JavaSandboxException("the sandbox JVM answered " + frame + " instead of ready");
        }
        kill();
        throw new JavaSandboxException("the sandbox JVM exited during startup" + exitNote() + stderrNote());
    }

    /**
     * Runs one piece of Java source (any number of statements and declarations) with a wall-clock
     * limit. Never throws for what the snippet does: timeouts, crashes and refusals are results.
     */
    public synchronized SandboxResult evaluate(String source, Duration timeout) {
        if (dead) {
            return lost(SandboxResult.Outcome.PROCESS_DIED, "the sandbox JVM is not running", List.of());
        }
        frames.clear();
        try {
            Wire.write(toChild, List.of(source));
        } catch (IOException e) {
            kill();
            return lost(SandboxResult.Outcome.PROCESS_DIED, "the sandbox JVM stopped taking input" + exitNote() + stderrNote(), List.of());
        }
        Object answer;
        try {
            answer = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            return lost(SandboxResult.Outcome.PROCESS_DIED, "the host thread was interrupted; the sandbox JVM was stopped", List.of());
        }
        if (answer == null) {
            kill();
            return lost(SandboxResult.Outcome.TIMED_OUT, "", List.of());
        }
        if (!(answer instanceof List)) {
            kill();
            String why = answer instanceof IOException ? " (" + ((IOException) answer).getMessage() + ")" : "";
            String stderr = stderrSnapshot();
            SandboxResult.Outcome outcome = stderr.contains("OutOfMemoryError")
                    ? SandboxResult.Outcome.OUT_OF_MEMORY : SandboxResult.Outcome.PROCESS_DIED;
            return lost(outcome, "the sandbox JVM stopped" + why + exitNote() + stderrNote(), List.of());
        }
        List<?> frame = (List<?>) answer;
        if (frame.size() != 5) {
            kill();
            return lost(SandboxResult.Outcome.PROCESS_DIED, "the sandbox JVM sent a malformed answer", List.of());
        }
        SandboxResult.Outcome outcome = SandboxResult.Outcome.valueOf((String) frame.get(0));
        String refusalLines = (String) frame.get(3);
        List<String> refusals = refusalLines.isEmpty() ? List.of() : Arrays.asList(refusalLines.split("\n"));
        boolean restart = Boolean.parseBoolean((String) frame.get(4));
        if (restart) {
            kill();
        }
        return new SandboxResult(outcome, (String) frame.get(1), (String) frame.get(2), refusals, restart);
    }

    private SandboxResult lost(SandboxResult.Outcome outcome, String detail, List<String> refusals) {
        return new SandboxResult(outcome, "", detail, refusals, true);
    }

    /** Whether the sandbox JVM is still running and usable. */
    public boolean isAlive() {
        return !dead && process.isAlive();
    }

    /** The sandbox JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** The Java version the sandbox JVM reported. */
    public String javaVersion() {
        return javaVersion;
    }

    /** Whether the JVM runs in an empty network namespace in addition to the security manager's denial. */
    public boolean networkIsolated() {
        return networkIsolated;
    }

    /** Ends the sandbox JVM: closes its input (it exits on its own), then kills what is left of its process tree. */
    @Override
    public void close() {
        if (dead) {
            return;
        }
        try {
            toChild.close();
            process.waitFor(500, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            log.debug("sandbox JVM {} input already closed: {}", process.pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }

    private void kill() {
        dead = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                log.warn("sandbox JVM {} did not end 10 s after being killed", process.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String exitNote() {
        return process.isAlive() ? "" : " with exit code " + process.exitValue();
    }

    private String stderrSnapshot() {
        synchronized (stderrTail) {
            return stderrTail.toString();
        }
    }

    private String stderrNote() {
        String tail = stderrSnapshot().lines()
                .filter(line -> !line.startsWith("WARNING:"))
                .collect(Collectors.joining("\n")).strip();
        if (tail.length() > 1_500) {
            tail = "..." + tail.substring(tail.length() - 1_500);
        }
        return tail.isEmpty() ? "" : "; its error output ends with:\n" + tail;
    }
}
