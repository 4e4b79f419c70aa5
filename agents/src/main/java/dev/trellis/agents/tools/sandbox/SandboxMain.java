package dev.trellis.agents.tools.sandbox;

import jdk.jshell.JShell;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Policy;
import java.util.List;
import java.util.Map;

/**
 * The entry point of the sandbox JVM that {@link SandboxProcess} starts. Not for use in the host.
 *
 * <p>It builds a JShell whose snippets run in this JVM (local execution) but are loaded by an
 * untrusted class loader, installs {@link SandboxPolicy} and {@link SandboxSecurityManager}, says
 * "ready" on stdout, then answers one frame per snippet (see {@link Wire}). If the security manager
 * cannot be installed (Java 24 removed it) it answers "refused" and exits: no snippet ever runs
 * without it. Arguments: scratch directory, output cap in bytes, extra classpath (may be empty), the
 * host's pid (this JVM halts when the host is gone).
 */
public final class SandboxMain {

    static final String READY = "ready";
    static final String REFUSED = "refused";
    static final int EXIT_REFUSED = 3;
    static final int EXIT_HOST_GONE = 4;

    /** Imports a REPL user expects to have, like the jshell tool's default startup. */
    private static final List<String> DEFAULT_IMPORTS = List.of(
            "java.util.*", "java.util.function.*", "java.util.stream.*", "java.util.concurrent.*", "java.util.regex.*", "java.io.*", "java.nio.file.*",
            "java.math.*", "java.time.*", "java.nio.charset.StandardCharsets");

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: SandboxMain <scratch dir> <output cap bytes> <extra classpath> <host pid>");
        }
        String scratch = args[0];
        int outputCap = Integer.parseInt(args[1]);
        String classpath = args[2];
        watchHost(Long.parseLong(args[3]));

        // The protocol owns the real stdin/stdout; nothing else may write there.
        DataOutputStream toHost = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        DataInputStream fromHost = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        PrintStream realErr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        CappedOutput capture = new CappedOutput(outputCap);
        System.setIn(InputStream.nullInputStream());
        System.setOut(realErr);
        System.setErr(realErr);

        int feature = Runtime.version().feature();
        if (feature >= 24) {
            refuse(toHost, "Java " + feature + " has no SecurityManager (removed in JDK 24 by JEP 486), so the sandbox "
                    + "cannot be enforced; run the sandbox with a Java 17-23 runtime (JavaReplTool.builder().javaExecutable(...))");
            return;
        }

        List<String> runtimeRoots = new java.util.ArrayList<>();
        runtimeRoots.add(System.getProperty("java.home"));
        runtimeRoots.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        Refusals refusals = new Refusals(scratch, runtimeRoots);
        SandboxedExecution execution = new SandboxedExecution();
        JShell shell = JShell.builder()
                .executionEngine(execution, Map.of())
                .in(InputStream.nullInputStream())
                .out(realErr)
                .err(realErr)
                .build();
        if (!classpath.isEmpty()) {
            for (String entry : classpath.split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
        }
        for (String imported : DEFAULT_IMPORTS) {
            shell.eval("import " + imported + ";");
        }
        SnippetEvaluator evaluator = new SnippetEvaluator(shell, capture, refusals);
        // Compile once before the host's first snippet (the first compile is the slow one); this is our own
        // constant code, the only snippet that ever runs before the security manager is in force.
        evaluator.evaluate("int $warmup = 1 + 1;");
        shell.drop(shell.snippets().filter(s -> s.source().contains("$warmup")).findFirst().orElseThrow());
        evaluator.snapshotStartupThreads();

        SandboxSecurityManager securityManager = new SandboxSecurityManager(refusals);
        try {
            Policy.setPolicy(new SandboxPolicy(scratch));
            System.setSecurityManager(securityManager);
        } catch (UnsupportedOperationException | SecurityException unavailable) {
            refuse(toHost, "the SecurityManager cannot be installed on Java " + Runtime.version() + " (" + unavailable.getMessage()
                    + "), so the sandbox cannot be enforced; on Java 18-23 start the JVM with -Djava.security.manager=allow");
            return;
        }
        if (System.getSecurityManager() != securityManager) {
            refuse(toHost, "the sandbox's SecurityManager did not take effect; refusing to run snippets");
            return;
        }
        Wire.write(toHost, List.of(READY, Runtime.version().toString()));

        while (true) {
            List<String> request = Wire.read(fromHost, Integer.MAX_VALUE);
            if (request.isEmpty()) {
                System.exit(0); // the host closed our stdin: the session is over, idle snippet threads or not
            }
            List<String> response;
            try {
                response = evaluator.evaluate(request.get(0));
            } catch (Throwable broken) {
                // JShell itself failed (e.g. out of memory while compiling): report and ask for a restart.
                response = List.of(SandboxResult.Outcome.PROCESS_DIED.name(), capture.drain(),
                        "the sandbox's JShell failed: " + broken, String.join("\n", refusals.drain()), "true");
            }
            Wire.write(toHost, response);
        }
    }

    /**
     * Ends this JVM when the host is gone. A closed stdin ends an idle sandbox, but a snippet in an
     * endless loop never reads it again; without this, a killed host would leave an orphan spinning.
     */
    private static void watchHost(long hostPid) {
        Thread watchdog = new Thread(() -> {
            while (true) {
                boolean hostAlive = ProcessHandle.current().parent().map(parent -> parent.pid() == hostPid && parent.isAlive())
                        .orElse(false);
                if (!hostAlive) {
                    Runtime.getRuntime().halt(EXIT_HOST_GONE);
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ignored) {
                    // only a snippet would interrupt this thread; keep watching
                }
            }
        }, "trellis-host-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void refuse(DataOutputStream toHost, String reason) throws java.io.IOException {
        Wire.write(toHost, List.of(REFUSED, reason));
        System.exit(EXIT_REFUSED);
    }

    /** JShell's in-process execution engine, with snippets loaded by the untrusted loader on their own threads. */
    private static final class SandboxedExecution implements ExecutionControlProvider {

        private final SnippetLoaderDelegate delegate = new SnippetLoaderDelegate();

        @Override
        public String name() {
            return "trellis-sandbox";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return new SnippetExecutionControl(delegate);
        }
    }
}
