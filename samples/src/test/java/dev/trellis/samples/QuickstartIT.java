package dev.trellis.samples;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job as a new user meets it: the built jar in a child process, no API key, an empty
 * Trellis home. The first run indexes, finetunes (a few steps), answers, evaluates and writes the
 * report; the second reuses the index and the model. Then {@code finetune eval} and
 * {@code finetune generate} run on the model the quickstart left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartIT {

    @TempDir
    static Path home;

    private static final Pattern SOURCE = Pattern.compile("^    (TR-\\d{4})  (.+)$", Pattern.MULTILINE);

    /** A 30-row slice of the bundled catalogue keeps embedding short; few steps and questions keep training and evaluation short. */
    private static String[] quickstart(Path csv) {
        return new String[] {"quickstart", "--catalog", csv.toString(), "-q", "Do you sell a shirt with sun protection?",
                "--steps", "3", "--eval-questions", "2", "--max-new-tokens", "8", "--max-tokens", "8"};
    }

    @Test
    @Order(1)
    void quickstartTrainsAnswersWithCatalogueRowsReportsAndThenReusesItsCache() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/data/catalog.csv"));
        Path csv = home.resolve("catalog-slice.csv");
        Files.write(csv, lines.subList(0, 31));
        Map<String, String> names = new HashMap<>();
        Files.readAllLines(csv).stream().skip(1).forEach(l -> names.put(l.substring(0, 7), l.split(",")[1]));

        TrellisProcess.Result first = new TrellisProcess(home).run(null, Duration.ofSeconds(300), quickstart(csv));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout()).as(first.toString()).containsPattern("Indexed \\d+ segments")
                .contains("Finetuning the built-in tiny GPT-NeoX", "Trained 3 steps",
                        "Saved the model to " + home.resolve("models/default"), "exact match", "ROUGE-L",
                        "QAEval grades:", "./trellis chat", "./trellis serve --model " + home.resolve("models/default"));
        Matcher sources = SOURCE.matcher(first.stdout());
        int cited = 0;
        while (sources.find()) {
            assertThat(sources.group(2)).as("the name of catalogue row " + sources.group(1)).isEqualTo(names.get(sources.group(1)));
            cited++;
        }
        assertThat(cited).as("catalogue rows cited\n" + first).isPositive();
        Path report = home.resolve("reports/quickstart/report.html");
        assertThat(report).content().contains("<h2>Answers", "base (untrained)", "data:image/png;base64,", "TR-");
        assertThat(home.resolve("reports/quickstart/loss.png")).isNotEmptyFile();
        assertThat(home.resolve("reports/quickstart/eval.jsonl")).isNotEmptyFile();
        assertThat(home.resolve("models/default/model.safetensors")).isNotEmptyFile();
        long modelWritten = Files.getLastModifiedTime(home.resolve("models/default/model.safetensors")).toMillis();

        TrellisProcess.Result second = new TrellisProcess(home).run(null, Duration.ofSeconds(120), quickstart(csv));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).as(second.toString())
                .contains("Reused the index", "nothing re-embedded", "Reusing the local model at " + home.resolve("models/default"))
                .doesNotContain("Finetuning", "Indexed");
        assertThat(second.stderr()).as("no training, no embedding").doesNotContain("training gpt_neox", "Embedding catalog");
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
