package dev.trellis.samples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples offline, as a user without an API key runs them: the jar in a child process, no
 * OPENAI_* variables, and an (untrained, tiny) local checkpoint in $TRELLIS_HOME/models/default.
 * The model's answers are gibberish; every sample must still run to the end and exit 0.
 */
class LocalModelIT {

    private static final Duration BUDGET = Duration.ofSeconds(120);

    @TempDir
    static Path home;

    private static Path csv;

    @BeforeAll
    static void localModelAndData() throws Exception {
        TinyCheckpoint.create(Files.createDirectories(home.resolve("models/default")));
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        csv = home.resolve("catalog-slice.csv");
        Files.write(csv, lines.subList(0, 21));
    }

    private TrellisProcess.Result run(String stdin, String... args) {
        // A random tiny model rarely stops by itself: cap every reply so the samples stay quick.
        String[] capped = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--max-tokens", "16"))
                .toArray(String[]::new);
        TrellisProcess.Result result = new TrellisProcess(home).run(stdin, BUDGET, capped);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).as(result.toString()).contains("Using local model at " + home.resolve("models/default"));
        return result;
    }

    @Test
    void memory() {
        assertThat(run(null, "memory").stdout()).contains("ConversationSummaryBufferMemory");
    }

    @Test
    void chains() {
        assertThat(run(null, "chains").stdout()).contains("followup_message: ");
    }

    @Test
    void router() {
        run(null, "router", "-q", "What is black body radiation?");
    }

    @Test
    void qaAndEvaluate() {
        assertThat(run(null, "qa", "--catalog", csv.toString()).stdout()).contains("Sources:");
        assertThat(run(null, "evaluate", "--catalog", csv.toString(), "--generate", "1").stdout()).contains("Example 0:");
    }

    @Test
    void agent() {
        run(null, "agent");
    }

    @Test
    void chatKeepsTheConversationAcrossRuns() {
        assertThat(run("Hello there\n", "chat", "--session", "local").stdout()).contains("New session 'local'");
        assertThat(run("Still there?\n/exit\n", "chat", "--session", "local", "--memory", "token").stdout())
                .contains("Continuing session 'local'").contains("2 messages");
    }
}
