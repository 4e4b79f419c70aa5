package dev.trellis.samples;

import dev.trellis.testing.OpenAiCompatibleTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A clumsy user's mistakes, each run from the built jar in a child process: every one prints one
 * message naming the input and the flag that fixes it, exits 2, and shows no stack trace unless
 * {@code --verbose}; where a remedy flag exists, it works. Nothing is left behind by a refused run.
 */
class UserMistakesIT {

    private static final Duration BUDGET = Duration.ofSeconds(90);

    private static OpenAiCompatibleTestServer server;

    @TempDir
    Path home;

    @BeforeAll
    static void startServer() {
        server = ScriptedServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private TrellisProcess trellis() {
        return new TrellisProcess(home).env("OPENAI_BASE_URL", server.baseUrl()).env("TRELLIS_MODEL", "trellis-test-model");
    }

    /** Exit 2, the message on stderr naming {@code flag}, and no stack trace. */
    private static void assertUserMistake(TrellisProcess.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).as(result.toString()).contains(mentions)
                .doesNotContain("\tat ").doesNotContain("Exception:").doesNotContain("Exception in thread");
    }

    private static boolean isEmptyOrMissing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    @Test
    void aMalformedCsvNamesLenientWhichSkipsTheRowAndVerboseShowsTheTrace() throws Exception {
        Path csv = home.resolve("broken.csv");
        Files.writeString(csv, "id,name,description\nTR-0001,Delta Hat,\"a wide-brimmed sun hat\"\n"
                + "TR-0002,Broken,\"an unterminated quote\nTR-0003,Tarn Pants,warm fleece pants\n");
        TrellisProcess.Result strict = trellis().run(null, BUDGET, "qa", "--catalog", csv.toString(), "-q", "hats?");
        assertUserMistake(strict, "trellis qa: ", "broken.csv line 3", "--lenient");
        assertThat(isEmptyOrMissing(home.resolve("cache/indexes"))).as("no index directory left").isTrue();

        TrellisProcess.Result verbose = trellis().run(null, BUDGET, "qa", "--catalog", csv.toString(), "--verbose");
        assertThat(verbose.exitCode()).as(verbose.toString()).isEqualTo(2);
        assertThat(verbose.stderr()).contains("--lenient").contains("MalformedRecordException").contains("\tat ");

        TrellisProcess.Result lenient = trellis().run(null, Duration.ofSeconds(180), "qa", "--catalog", csv.toString(),
                "--lenient", "-q", "Which sun hats do you sell?");
        assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
        assertThat(lenient.stdout()).contains("Sources:").contains("Delta Hat");
        assertThat(lenient.stderr()).contains("skipped 1 malformed rows");
    }

    @Test
    void aHugeCellIsRefusedAtOnceNamingTheLimitFlag() throws Exception {
        Path csv = home.resolve("huge.csv");
        Files.writeString(csv, "id,description\nTR-0001,a sun hat\nTR-0002," + "waterproof ripstop ".repeat(70_000) + "\n");
        TrellisProcess.Result result = trellis().run(null, Duration.ofSeconds(60), "qa", "--catalog", csv.toString());
        assertUserMistake(result, "huge.csv row 1", "1,000,000", "--max-document-chars");
        assertThat(result.took()).isLessThan(Duration.ofSeconds(45));
        assertThat(isEmptyOrMissing(home.resolve("cache/indexes"))).isTrue();
    }

    @Test
    void badFinetuneDataIsExplainedAndTheRemediesWork() throws Exception {
        TrellisProcess local = new TrellisProcess(home);
        Path one = Files.writeString(home.resolve("one.jsonl"), "{\"question\": \"Only one?\", \"answer\": \"Yes.\"}\n");
        Path out = home.resolve("prepared");
        assertUserMistake(local.run(null, BUDGET, "finetune", "prepare", "--data", one.toString(), "--output", out.toString()),
                "trellis finetune prepare: ", "1 usable example", "at least 2");
        assertThat(out).doesNotExist();

        Path binary = Files.write(home.resolve("model.jsonl"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, (byte) 0xff});
        assertUserMistake(local.run(null, BUDGET, "finetune", "prepare", "--data", binary.toString(), "--output", out.toString()),
                "binary file");
        Path empty = Files.writeString(home.resolve("empty.jsonl"), "");
        assertUserMistake(local.run(null, BUDGET, "finetune", "prepare", "--data", empty.toString(), "--output", out.toString()),
                "is empty");
        assertUserMistake(local.run(null, BUDGET, "finetune", "prepare", "--max-length", "0", "--output", out.toString()),
                "--max-length 0");
        assertThat(out).as("nothing created by a refused run").doesNotExist();

        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            rows.append("{\"q\": \"What does product ").append(i).append(" cost?\", \"a\": \"").append(10 + i).append(" dollars\"}\n");
        }
        rows.append("{\"q\": \"broken line\", \"a\": \n");
        rows.append("{\"q\": {\"nested\": true}, \"a\": \"objects are not text\"}\n");
        Path custom = Files.writeString(home.resolve("custom.jsonl"), rows.toString());
        assertUserMistake(local.run(null, BUDGET, "finetune", "prepare", "--data", custom.toString(), "--output", out.toString()),
                "--prompt-field", "--answer-field");
        TrellisProcess.Result badRecords = local.run(null, BUDGET, "finetune", "prepare", "--data", custom.toString(),
                "--prompt-field", "q", "--answer-field", "a", "--output", out.toString());
        assertUserMistake(badRecords, "2 bad records", "line 13", "line 14", "wrong type", "--skip-bad-records");
        TrellisProcess.Result prepared = local.run(null, Duration.ofSeconds(120), "finetune", "prepare", "--data",
                custom.toString(), "--prompt-field", "q", "--answer-field", "a", "--skip-bad-records", "--output", out.toString());
        assertThat(prepared.exitCode()).as(prepared.toString()).isZero();
        assertThat(prepared.stdout()).contains("skipped line 13", "skipped line 14");
        assertThat(out.resolve("train.jsonl")).isNotEmptyFile();
    }

    @Test
    void aCorruptChatMemoryIsExplainedAndQuarantinedOnRequest() throws Exception {
        Path conversations = Files.createDirectories(home.resolve("conversations"));
        Path file = conversations.resolve("default.json");
        Files.writeString(file, "{\"format\": 1, \"messages\": [ {\"type\": \"USER\", \"te");
        TrellisProcess.Result refused = trellis().run("/exit\n", BUDGET, "chat");
        assertUserMistake(refused, "trellis chat: ", "default.json", "--quarantine-corrupt");
        assertThat(file).exists();

        TrellisProcess.Result quarantined = trellis().run("/exit\n", BUDGET, "chat", "--quarantine-corrupt");
        assertThat(quarantined.exitCode()).as(quarantined.toString()).isZero();
        try (Stream<Path> files = Files.list(conversations)) {
            assertThat(files.map(p -> p.getFileName().toString())).anySatisfy(n -> assertThat(n).startsWith("default.json.corrupt-"));
        }
    }

    @Test
    void serveNamesThePortTheHostAndTheCheckpointThatAreWrong() throws Exception {
        Path model = TinyCheckpoint.create(Files.createDirectories(home.resolve("tiny")));
        TrellisProcess local = new TrellisProcess(home);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                    "--port", String.valueOf(taken.getLocalPort())), "trellis serve: ", "--port");
        }
        // TEST-NET-1 (RFC 5737) is never an address of this machine
        assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                "--host", "192.0.2.1", "--api-key", "k", "--port", "0"), "192.0.2.1", "--host");
        assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                "--host", "0.0.0.0", "--port", "0"), "--api-key");

        assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                "--kv-cache-memory", "lots", "--port", "0"), "--kv-cache-memory", "lots");
        assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                "--scheduler", "batch", "--workers", "2", "--port", "0"), "--workers", "--max-batch");
        assertUserMistake(local.run(null, BUDGET, "serve", "--model", model.toString(), "--no-embeddings",
                "--max-batch", "0", "--port", "0"), "--max-batch");

        Path broken = Files.createDirectories(home.resolve("broken"));
        for (String name : List.of("tokenizer.json", "model.safetensors", "trellis.json")) {
            Files.copy(model.resolve(name), broken.resolve(name));
        }
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"gpt_neox\", \"hidden_si");
        assertUserMistake(local.run(null, BUDGET, "serve", "--model", broken.toString(), "--no-embeddings", "--port", "0"),
                "config.json");
    }

    @Test
    void theSandboxOnATooNewJavaNamesTheJavaFlag() throws Exception {
        // a Java 25 installation as far as the sandbox can tell: its release file and an executable bin/java
        Path jdk = home.resolve("jdk-25");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Path java = Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\necho 'openjdk version \"25\"' >&2\n");
        java.toFile().setExecutable(true);
        TrellisProcess.Result result = trellis().run(null, BUDGET, "agent", "--java", java.toString());
        assertUserMistake(result, "trellis agent: ", "Java 25", "--java");
        assertThat(server.requests()).noneSatisfy(r -> assertThat(r.lastUserMessage()).contains("25% of 300"));
    }

    @Test
    void aReadOnlyOutputIsRefusedBeforeTrainingNamingOutput() throws Exception {
        Path readOnly = Files.createDirectories(home.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path output = readOnly.resolve("model");
        try {
            if (Files.isWritable(readOnly)) {
                // root ignores permissions: a directory no one may create anything in stands in
                output = Path.of("/sys/trellis-read-only-test/model");
                assumeTrue(!Files.exists(output.getParent()) && !canCreate(output.getParent()),
                        "running as root, and /sys is writable here: no read-only directory to test with");
            }
            TrellisProcess.Result result = new TrellisProcess(home).run(null, BUDGET, "finetune", "train",
                    "--output", output.toString(), "--max-steps", "1");
            assertUserMistake(result, "trellis finetune train: ", "--output " + output, "cannot write");
            assertThat(result.stdout()).doesNotContain("Training ");

            Path file = Files.writeString(home.resolve("a-file"), "not a directory");
            assertUserMistake(new TrellisProcess(home).run(null, BUDGET, "finetune", "prepare", "--output",
                    file.resolve("out").toString()), "--output", "is a file");
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canCreate(Path dir) {
        try {
            Files.createDirectory(dir);
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void theLauncherSaysWhatIsWrongWithJavaHome() throws Exception {
        Path launcher = Path.of("..", "trellis").toAbsolutePath().normalize();
        assumeTrue(Files.isExecutable(launcher), "the ./trellis launcher is not at " + launcher);
        ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "--version").redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", home.resolve("no-such-jdk").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("JAVA_HOME").contains("no-such-jdk").contains("Java 17");
    }
}
