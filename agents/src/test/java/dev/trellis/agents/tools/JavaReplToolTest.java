package dev.trellis.agents.tools;

import dev.trellis.agents.tools.sandbox.JavaRuntimes;
import dev.trellis.agents.tools.sandbox.JavaSandboxException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java REPL tool end to end: real sandbox JVMs running real JShell snippets. One tool serves
 * the whole class (a sandbox JVM starts in about a second or two); each escape attempt must come
 * back as a "refused:" observation, leave no trace on the host, and leave the tool usable.
 */
class JavaReplToolTest {

    private static final int OUTPUT_CAP = 16 * 1024;
    private static JavaReplTool tool;

    @TempDir
    Path hostDir;

    /** A Java 17-23 runtime for the sandbox: the one running the tests, or -Dtrellis.sandbox.java=... on a newer JDK. */
    static Path sandboxJava() {
        String configured = System.getProperty("trellis.sandbox.java", System.getenv("TRELLIS_SANDBOX_JAVA"));
        return configured != null ? Path.of(configured) : JavaRuntimes.current();
    }

    static boolean sandboxRuntimeAvailable() {
        int feature = JavaRuntimes.featureVersion(sandboxJava());
        return feature >= 17 && feature <= 23;
    }

    @BeforeAll
    static void startTool() {
        if (sandboxRuntimeAvailable()) {
            tool = JavaReplTool.builder()
                    .javaExecutable(sandboxJava())
                    .timeout(Duration.ofSeconds(5))
                    .maxHeapMegabytes(192)
                    .maxOutputBytes(OUTPUT_CAP)
                    .build()
                    .start();
        }
    }

    @AfterAll
    static void closeTool() {
        if (tool != null) {
            Path scratch = tool.scratchDirectory();
            tool.close();
            assertThat(scratch).doesNotExist();
        }
    }

    private static String run(String code) throws Exception {
        assumeTrue(tool != null, "needs a Java 17-23 runtime for the sandbox (set -Dtrellis.sandbox.java on Java 24+)");
        return tool.run(code);
    }

    private static void assertStillUsable() throws Exception {
        assertThat(run("System.out.println(6 * 7);")).isEqualTo("42");
    }

    // --- what a model uses it for ---

    @Test
    void computesArithmetic() throws Exception {
        assertThat(run("System.out.println(25.0 / 100 * 300);")).isEqualTo("75.0");
        assertThat(run("Math.pow(2, 10)")).matches("\\$\\d+ ==> 1024\\.0"); // a bare expression shows its value
    }

    @Test
    void keepsStateBetweenSnippets() throws Exception {
        run("int counter = 40;");
        run("int next() { return ++counter; }");
        run("next();");
        assertThat(run("System.out.println(next());")).isEqualTo("42");
    }

    @Test
    void writesAndReadsFilesInsideTheScratchDirectory() throws Exception {
        String out = run("Files.writeString(Path.of(\"notes.txt\"), \"hello sandbox\");\n"
                + "System.out.println(Files.readString(Path.of(\"notes.txt\")));");
        assertThat(out).isEqualTo("hello sandbox");
        assertThat(tool.scratchDirectory().resolve("notes.txt")).hasContent("hello sandbox");
    }

    @Test
    void sortsTheCustomerListByLastThenFirstName() throws Exception {
        String code = "```java\n"
                + "record Customer(String firstName, String lastName) {}\n"
                + "List<Customer> customers = new ArrayList<>(List.of(\n"
                + "    new Customer(\"Mara\", \"Quinn\"), new Customer(\"Theo\", \"Baxter\"),\n"
                + "    new Customer(\"Ines\", \"Quinn\"), new Customer(\"Abel\", \"Baxter\"), new Customer(\"Lou\", \"Ardent\")));\n"
                + "customers.sort(Comparator.comparing(Customer::lastName).thenComparing(Customer::firstName));\n"
                + "customers.forEach(c -> System.out.println(c.lastName() + \", \" + c.firstName()));\n"
                + "```";
        assertThat(run(code)).isEqualTo("Ardent, Lou\nBaxter, Abel\nBaxter, Theo\nQuinn, Ines\nQuinn, Mara");
    }

    @Test
    void reportsCompileErrorsAndExceptionsAsObservations() throws Exception {
        assertThat(run("int broken = \"text\";")).startsWith("error: the code did not compile: incompatible types");
        assertThat(run("System.out.println(List.of(1).get(3));")).startsWith("error: java.lang.IndexOutOfBoundsException");
        assertStillUsable();
    }

    @Test
    void takesNativeToolCallArguments() throws Exception {
        assumeTrue(tool != null);
        assertThat(tool.runJson("{\"input\": \"System.out.println(2 + 3);\"}")).isEqualTo("5");
    }

    // --- escape attempts: each refused, reported, no trace, tool usable afterwards ---

    @Test
    void refusesReadingEtcPasswd() throws Exception {
        String out = run("System.out.println(Files.readString(Path.of(\"/etc/passwd\")));");
        assertThat(out).contains("refused: reading /etc/passwd is outside the sandbox directory").doesNotContain("root:");
        // caught by the snippet: still reported
        String caught = run("try { new FileInputStream(\"/etc/passwd\").read(); } catch (Exception e) { System.out.println(\"ignored\"); }");
        assertThat(caught).isEqualTo("ignored\nrefused: reading /etc/passwd is outside the sandbox directory " + tool.scratchDirectory());
        assertStillUsable();
    }

    @Test
    void refusesWritingOutsideTheScratchDirectory() throws Exception {
        Path target = hostDir.resolve("escaped.txt");
        String out = run("Files.writeString(Path.of(\"" + target + "\"), \"pwned\");");
        assertThat(out).contains("refused: writing " + target + " is outside the sandbox directory");
        String upward = run("Files.writeString(Path.of(\"../escaped-upward.txt\"), \"pwned\");");
        assertThat(upward).contains("refused: writing ../escaped-upward.txt is outside the sandbox directory");
        assertThat(target).doesNotExist();
        assertThat(tool.scratchDirectory().getParent().resolve("escaped-upward.txt")).doesNotExist();
        assertStillUsable();
    }

    @Test
    void refusesSymlinksOutOfTheScratchDirectory() throws Exception {
        String out = run("Files.createSymbolicLink(Path.of(\"passwd\"), Path.of(\"/etc/passwd\"));");
        assertThat(out).contains("refused: creating symbolic file links is not allowed");
        assertStillUsable();
    }

    @Test
    void refusesOpeningASocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String out = run("new java.net.Socket(\"127.0.0.1\", " + server.getLocalPort() + ").getOutputStream().write(1);");
            assertThat(out).contains("refused: connecting to 127.0.0.1:" + server.getLocalPort() + " is not allowed: the sandbox has no network access");
            server.setSoTimeout(200);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class); // nobody connected
        }
        assertThat(run("java.net.InetAddress.getByName(\"example.com\");")).contains("refused: resolving host name example.com");
        assertStillUsable();
    }

    @Test
    void refusesStartingAProcess() throws Exception {
        Path marker = hostDir.resolve("ran.txt");
        String out = run("new ProcessBuilder(\"/bin/sh\", \"-c\", \"echo ran > " + marker + "\").start().waitFor();");
        assertThat(out).contains("refused: starting a process (/bin/sh) is not allowed in the sandbox");
        assertThat(run("Runtime.getRuntime().exec(new String[] {\"touch\", \"" + marker + "\"});"))
                .contains("refused: starting a process");
        assertThat(marker).doesNotExist();
        assertStillUsable();
    }

    @Test
    void refusesSystemExitAndKeepsTheSession() throws Exception {
        run("String survivor = \"still here\";");
        assertThat(run("System.exit(1);")).contains("refused: System.exit(1) is not allowed in the sandbox");
        assertThat(run("Runtime.getRuntime().halt(2);")).contains("refused: System.exit(2) is not allowed");
        assertThat(run("System.out.println(survivor);")).isEqualTo("still here"); // same JVM, same state
    }

    @Test
    void refusesReadingTheEnvironment() throws Exception {
        assertThat(run("System.out.println(System.getenv(\"PATH\"));")).contains("refused: reading the environment variable PATH");
    }

    @Test
    void stopsAnInfiniteLoopAtTheTimeLimit() throws Exception {
        long start = System.nanoTime();
        String out = run("while (true) { }");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(out).contains("refused: the code ran longer than the 5 s time limit and was stopped; the Java session was restarted");
        assertStillUsable();
    }

    @Test
    void stopsBackgroundWorkThatOutlivesTheSnippet() throws Exception {
        String out = run("CompletableFuture.runAsync(() -> { long spins = 0; while (true) { spins++; } });");
        assertThat(out).contains("refused: the code left 1 thread running after it ended")
                .contains("the Java session was restarted");
        assertStillUsable();
    }

    @Test
    void letsIdleExecutorsStayBetweenCalls() throws Exception {
        assertThat(run("ExecutorService pool = Executors.newFixedThreadPool(2);\n"
                + "System.out.println(pool.submit(() -> 6 * 7).get());")).isEqualTo("42");
        assertThat(run("System.out.println(pool.submit(() -> \"again\").get()); pool.shutdown();")).isEqualTo("again");
    }

    @Test
    void limitsThreads() throws Exception {
        String out = run("List<Thread> sleepers = new ArrayList<>();\n"
                + "for (int i = 0; i < 200; i++) { Thread t = new Thread(() -> { try { Thread.sleep(200); } catch (InterruptedException e) { } }); t.start(); sleepers.add(t); }");
        assertThat(out).contains("refused: starting more than 64 threads is not allowed in the sandbox");
        assertStillUsable();
        // the sleepers still count against the cap until they end; later tests start threads of their own
        assertThat(run("for (Thread t : sleepers) t.join(); System.out.println(sleepers.size());")).isEqualTo("63");
    }

    @Test
    void stopsATenGigabyteAllocationAtTheMemoryLimit() throws Exception {
        String out = run("byte[][] chunks = new byte[10 * 1024][];\n"
                + "for (int i = 0; i < chunks.length; i++) chunks[i] = new byte[1024 * 1024];\n"
                + "System.out.println(\"allocated 10 GB\");");
        assertThat(out).contains("refused: the code ran out of the sandbox's 192 MB memory limit (java.lang.OutOfMemoryError")
                .doesNotContain("allocated 10 GB");
        assertThat(run("long[] huge = new long[1_342_177_280];")).contains("refused: the code ran out of the sandbox's 192 MB memory limit");
        assertStillUsable();
    }

    @Test
    void capsOneHundredMegabytesOfOutput() throws Exception {
        String out = run("String line = \"x\".repeat(99);\n"
                + "for (int i = 0; i < 1_000_000; i++) System.out.println(line);");
        assertThat(out).endsWith("refused: the output passed the " + OUTPUT_CAP + "-byte limit and the code was stopped there; "
                + "print less (a summary, or the first lines)");
        assertThat(out.length()).isLessThan(OUTPUT_CAP + 500);
        assertStillUsable();
    }

    @Test
    void extraClasspathIsUsableButAsConfinedAsSnippets(@TempDir Path library) throws Exception {
        assumeTrue(sandboxRuntimeAvailable());
        Path source = Files.writeString(library.resolve("Greeter.java"),
                "package demo; public class Greeter {\n"
                        + "  public static String hello(String name) { return \"Hello, \" + name; }\n"
                        + "  public static String secrets() throws Exception { return java.nio.file.Files.readString(java.nio.file.Path.of(\"/etc/passwd\")); }\n"
                        + "}\n");
        Path classes = Files.createDirectories(library.resolve("classes"));
        int compiled = javax.tools.ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-d", classes.toString(), source.toString());
        assertThat(compiled).isZero();
        try (JavaReplTool withLibrary = JavaReplTool.builder().javaExecutable(sandboxJava()).classpath(List.of(classes)).build()) {
            assertThat(withLibrary.run("System.out.println(demo.Greeter.hello(\"sandbox\"));")).isEqualTo("Hello, sandbox");
            assertThat(withLibrary.run("System.out.println(demo.Greeter.secrets());"))
                    .contains("refused: reading /etc/passwd is outside the sandbox directory").doesNotContain("root:");
        }
    }

    // --- the tool's own contract ---

    @Test
    void stripsMarkdownCodeFences() {
        assertThat(JavaReplTool.stripCodeFences("```java\nint x = 1;\nSystem.out.println(x);\n```")).isEqualTo("int x = 1;\nSystem.out.println(x);");
        assertThat(JavaReplTool.stripCodeFences("Here you go:\n```\nfoo();\n```\nthanks")).isEqualTo("foo();");
        assertThat(JavaReplTool.stripCodeFences("```java\nunterminated();")).isEqualTo("unterminated();");
        assertThat(JavaReplTool.stripCodeFences("`1 + 1`")).isEqualTo("1 + 1");
        assertThat(JavaReplTool.stripCodeFences("  plain();  ")).isEqualTo("plain();");
    }

    @Test
    void blankInputIsAnObservationNotACrash() throws Exception {
        assertThat(run("```java\n```")).startsWith("error: the input had no Java code");
    }

    @Test
    void closeDeletesItsScratchDirectoryAndRefusesFurtherCalls() {
        assumeTrue(sandboxRuntimeAvailable());
        JavaReplTool fresh = JavaReplTool.builder().javaExecutable(sandboxJava()).build();
        Path scratch = fresh.scratchDirectory();
        assertThat(scratch).isDirectory();
        fresh.close();
        assertThat(scratch).doesNotExist();
        assertThatThrownBy(() -> fresh.run("1")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void rejectsBadOptionsNamingTheValue() {
        assertThatThrownBy(() -> JavaReplTool.builder().maxHeapMegabytes(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxHeapMegabytes 4");
        assertThatThrownBy(() -> JavaReplTool.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout PT0S");
        assertThatThrownBy(() -> JavaReplTool.builder().classpath(List.of(Path.of("/no/such.jar"))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/no/such.jar");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void refusesToRunOnARuntimeWithoutASecurityManager(@TempDir Path jdk) throws IOException {
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"24\"' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"24.0.1\"\n");
        assertThatThrownBy(() -> JavaReplTool.builder().javaExecutable(java).build())
                .isInstanceOf(JavaSandboxException.class)
                .hasMessageContaining("is Java 24")
                .hasMessageContaining("removed the SecurityManager")
                .hasMessageContaining("javaExecutable");
    }

    @Test
    void describesItselfToTheModel() throws Exception {
        assumeTrue(tool != null);
        assertThat(tool.name()).isEqualTo("java_repl");
        assertThat(tool.description()).contains("System.out.println").contains("no network");
    }
}
