package dev.trellis.samples;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job as a new user meets it: the built jar in a child process, no API key, an empty
 * Trellis home. The first run indexes a catalogue slice, finetunes the shipped base, answers checked catalogue
 * questions, evaluates and writes the report; the second reuses the index and the model. Then {@code finetune eval} and
 * {@code finetune generate} run on the model the quickstart left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartIT {

    @TempDir
    static Path home;

    private static final Pattern ROWS = Pattern.compile("\\[rows ([^\\]]*)]");
    private static final Pattern RIGHT = Pattern.compile("Right: (\\d+) of (\\d+), checked against catalog-slice.csv");
    /** What the progress display prints where there is no terminal: "Task: 30/100 (30%)...". */
    private static final Pattern PROGRESS = Pattern.compile("^[A-Z][\\w .-]*: \\d+/\\d+ \\(\\d+%\\).*$");

    /**
     * A 30-row slice of the catalogue keeps embedding short and two held-out questions keep the evaluation short;
     * the finetune is the quickstart's own (trellis-base, docs_qa, 3e-4 annealed), held to a fixed step count
     * (quiet 2-core machines have reached 190 to 470 within the default 3 minutes) rather than to the clock, so
     * what it learns does not depend on the machine's speed or load.
     */
    private static String[] quickstart(Path csv) {
        return new String[] {"quickstart", "--catalog", csv.toString(), "--steps", String.valueOf(STEPS), "--time-limit", "10",
                "--eval-questions", "2"};
    }

    static final int STEPS = 300;

    @Test
    @Order(1)
    void quickstartTrainsAnswersCheckedQuestionsReportsAndThenReusesItsCache() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        Path csv = home.resolve("catalog-slice.csv");
        Files.write(csv, lines.subList(0, 31));
        Set<String> ids = new HashSet<>();
        lines.subList(1, 31).forEach(l -> ids.add(l.substring(0, 7)));

        TrellisProcess.Result first = new TrellisProcess(home).run(null, Duration.ofSeconds(600), quickstart(csv));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout()).as(first.toString()).containsPattern("Indexed \\d+ segments")
                .contains("Finetuning trellis-base", "Trained " + STEPS + " steps", "Saved the model to " + home.resolve("models/default"), "exact match",
                        "ROUGE-L", "QAEval grades:", "./trellis chat", "./trellis serve --model " + home.resolve("models/default"));
        // clean answers
        assertThat(first.stdout()).as("no template marker in any answer").doesNotContain("###");
        Matcher right = RIGHT.matcher(first.stdout());
        assertThat(right.find()).as(first.toString()).isTrue();
        // every checked question is printed with its verdict against the CSV, and at least 8 of the 10 are right
        assertThat(Integer.parseInt(right.group(2))).isEqualTo(10);
        assertThat(Integer.parseInt(right.group(1))).as(first.toString()).isGreaterThanOrEqualTo(8);
        assertThat(first.stdout().lines().filter(l -> l.startsWith("  right: ") || l.startsWith("  WRONG: ")).count())
                .isEqualTo(10);
        Matcher rows = ROWS.matcher(first.stdout());
        int cited = 0;
        while (rows.find()) {
            for (String id : rows.group(1).split(", ")) {
                assertThat(ids).as("a cited catalogue row").contains(id);
                cited++;
            }
        }
        assertThat(cited).as("catalogue rows cited\n" + first).isPositive();
        // a quiet console: the steps, the answers and the table; library logs go to the log file
        List<String> console = new ArrayList<>();
        (first.stdout() + "\n" + first.stderr()).lines().filter(l -> !l.isBlank() && !PROGRESS.matcher(l).matches())
                .forEach(console::add);
        assertThat(console).as(String.join("\n", console)).hasSizeLessThan(30);
        assertThat(first.stderr()).doesNotContain("CUDA", "graph executor", "[INFO]");
        assertThat(home.resolve("logs/trellis.log")).content().contains("Trainer");

        Path report = home.resolve("reports/quickstart/report.html");
        assertThat(report).content().contains("<h2>Answers", "the catalogue says", "Exact match per kind", "price",
                "data:image/png;base64,", "TR-");
        assertThat(home.resolve("reports/quickstart/loss.png")).isNotEmptyFile();
        assertThat(home.resolve("reports/quickstart/eval.jsonl")).isNotEmptyFile();
        assertThat(home.resolve("models/default/model.safetensors")).isNotEmptyFile();
        long modelWritten = Files.getLastModifiedTime(home.resolve("models/default/model.safetensors")).toMillis();

        TrellisProcess.Result second = new TrellisProcess(home).run(null, Duration.ofSeconds(180), quickstart(csv));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).as(second.toString())
                .contains("Reused the index", "nothing re-embedded", "Reusing the local model at " + home.resolve("models/default"))
                .doesNotContain("Finetuning", "Indexed");
        assertThat(second.stderr()).as("no training, no embedding").doesNotContain("Training:", "Embedding catalog");
        assertThat(Files.getLastModifiedTime(home.resolve("models/default/model.safetensors")).toMillis()).isEqualTo(modelWritten);
        assertThat(second.took()).as("the cached run").isLessThan(first.took());
    }

    @Test
    @Order(2)
    void finetuneEvalAndGenerateRunOnTheQuickstartModel() {
        Path out = home.resolve("eval-out");
        TrellisProcess.Result eval = new TrellisProcess(home).run(null, Duration.ofSeconds(120),
                "finetune", "eval", "--limit", "2", "--max-new-tokens", "4", "--output", out.toString());
        assertThat(eval.exitCode()).as(eval.toString()).isZero();
        assertThat(eval.stdout()).contains("on 2 held-out questions", "exact match", "ROUGE-L");
        assertThat(out.resolve("eval.html")).content().contains("(base)").contains("(finetuned)");

        TrellisProcess.Result generate = new TrellisProcess(home).run(null, Duration.ofSeconds(60),
                "finetune", "generate", "--max-new-tokens", "4", "What is Trellis?", "Which hat has a wide brim?");
        assertThat(generate.exitCode()).as(generate.toString()).isZero();
        assertThat(generate.stdout()).contains("> What is Trellis?", "> Which hat has a wide brim?").containsPattern("\\[\\d tokens, ");

        TrellisProcess.Result missing = new TrellisProcess(home).run(null, Duration.ofSeconds(60),
                "finetune", "generate", "--model", home.resolve("nowhere").toString(), "hi");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.stderr()).contains("nowhere").contains("not a checkpoint").doesNotContain("at dev.trellis");
    }
}
