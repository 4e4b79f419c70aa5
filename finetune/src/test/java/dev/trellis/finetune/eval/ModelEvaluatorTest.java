package dev.trellis.finetune.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.testing.ScriptedChatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelEvaluatorTest {

    private static final List<EvaluationExample> EXAMPLES = List.of(
            new EvaluationExample("q1", "Which fabric is the Alder jacket made from?", "recycled nylon ripstop"),
            new EvaluationExample("q2", "How many pockets does the Birch vest have?", "4"),
            new EvaluationExample("q3", "What colour is the Cedar fleece?", "forest green"));

    private static final Map<String, String> FINETUNED = Map.of(
            EXAMPLES.get(0).question(), "Recycled nylon ripstop.",
            EXAMPLES.get(1).question(), "4",
            EXAMPLES.get(2).question(), "forest green");

    private static final Map<String, String> BASE = Map.of(
            EXAMPLES.get(0).question(), "recycled nylon ripsop",
            EXAMPLES.get(1).question(), "the pockets the pockets the pockets",
            EXAMPLES.get(2).question(), "green");

    @Test
    void scoresEveryRowWithTheFrameworkMetrics() {
        EvaluationResult r = ModelEvaluator.builder().build().evaluate("tuned", FINETUNED::get, EXAMPLES);
        assertThat(r.rows()).hasSize(3);
        assertThat(r.exactMatch()).isEqualTo(1.0);          // lenient: case and final period ignored
        assertThat(r.rougeL()).isCloseTo(1.0, within(1e-9));
        assertThat(r.rouge1()).isCloseTo(1.0, within(1e-9));
        assertThat(r.misspellings() + r.tooLong() + r.repetitive()).isZero();

        EvaluationResult b = ModelEvaluator.builder().build().evaluate("base", BASE::get, EXAMPLES);
        assertThat(b.exactMatch()).isZero();
        EvaluationRow fabric = b.rows().get(0);
        assertThat(fabric.rouge1()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(fabric.errors().misspelled()).containsExactly("ripsop");
        EvaluationRow pockets = b.rows().get(1);
        assertThat(pockets.errors().tooLong()).isTrue();      // 6 words vs 1
        assertThat(pockets.errors().repeatedNgram()).isEqualTo("the pockets");
        EvaluationRow colour = b.rows().get(2);
        assertThat(colour.rougeL()).isCloseTo(2 * 0.5 * 1.0 / 1.5, within(1e-9)); // P=1, R=0.5
        assertThat(colour.errors().tooLong()).isFalse();
        assertThat(b.bleu()).isBetween(0.0, 100.0).isLessThan(r.bleu());
        assertThat(b.errorRules()).containsOnlyKeys("misspelling", "too_long", "repetitive");
    }

    @Test
    void errorRulesAreTheStatedOnes() {
        ErrorAnalyzer a = ErrorAnalyzer.builder().vocabularyFrom(List.of("waterproof breathable jacket")).build();
        assertThat(a.analyze("waterprof jacket", "x").misspelled()).containsExactly("waterprof");      // distance 1
        assertThat(a.analyze("breathabel jacket", "x").misspelled()).containsExactly("breathabel");   // distance 2, 10 letters
        assertThat(a.analyze("jakcet", "x").misspelled()).isEmpty();      // 6 letters, distance 2: not counted
        assertThat(a.analyze("zebra", "x").misspelled()).isEmpty();       // far from every word: may be right
        assertThat(a.analyze("one two three", "a b").tooLong()).isFalse(); // 3 words <= 2 x 2
        assertThat(a.analyze("one two three four five", "a b").tooLong()).isTrue();
        assertThat(a.analyze("a b a b", "x").repetitive()).isFalse();     // "a b" twice
        assertThat(a.analyze("a b a b a b", "x").repeatedNgram()).isEqualTo("a b");
        assertThat(ErrorAnalyzer.editDistance("kitten", "sitting", 5)).isEqualTo(3);
        assertThat(a.rules().get("repetitive")).isEqualTo("some 2-word sequence occurs >= 3 times");
    }

    @Test
    void comparisonWritesJsonlMarkdownAndHtml(@TempDir Path dir) throws Exception {
        ModelEvaluator evaluator = ModelEvaluator.builder().build();
        ModelComparison c = evaluator.compare("base", BASE::get, "tuned", FINETUNED::get, EXAMPLES);
        List<Path> files = c.writeTo(dir.resolve("out"));
        assertThat(files).allMatch(Files::isRegularFile);

        List<String> lines = Files.readAllLines(dir.resolve("out/eval.jsonl"));
        assertThat(lines).hasSize(5);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.path("id").asText()).isEqualTo("q1");
        assertThat(first.path("base").path("prediction").asText()).isEqualTo("recycled nylon ripsop");
        assertThat(first.path("finetuned").path("exact_match").asBoolean()).isTrue();
        JsonNode tunedTotals = json.readTree(lines.get(4));
        assertThat(tunedTotals.path("role").asText()).isEqualTo("finetuned");
        assertThat(tunedTotals.path("exact_match").asDouble()).isEqualTo(1.0);
        assertThat(tunedTotals.path("error_rules").path("too_long").asText()).contains("2 x");

        String md = Files.readString(dir.resolve("out/eval.md"));
        assertThat(md).contains("| exact match | 0.000 | 1.000 |").contains("**repetitive**");
        String html = Files.readString(dir.resolve("out/eval.html"));
        assertThat(html).contains("<td>exact match</td><td>0.000</td><td>1.000</td>");
    }

    @Test
    void escapesMarkupInTables() {
        List<EvaluationExample> one = List.of(new EvaluationExample("x", "a | b <script>", "line1\nline2"));
        ModelComparison c = ModelEvaluator.builder().build().compare("b", q -> "<b>&", "t", q -> "x|y", one);
        assertThat(c.toHtml()).contains("a | b &lt;script&gt;").contains("&lt;b&gt;&amp;").doesNotContain("<script>");
        assertThat(c.toMarkdown()).contains("a \\| b <script>").contains("line1<br>line2").contains("x\\|y");
    }

    @Test
    void aChatModelIsAnAnswerer() {
        ScriptedChatModel chat = ScriptedChatModel.replying("4");
        EvaluationResult r = ModelEvaluator.builder().build()
                .evaluate("chat", Answerer.of(chat), List.of(EXAMPLES.get(1)));
        assertThat(r.exactMatch()).isEqualTo(1.0);
    }

    @Test
    void failuresNameTheModelAndExample() {
        assertThatThrownBy(() -> ModelEvaluator.builder().build().evaluate("m", q -> {
            throw new IllegalStateException("out of memory");
        }, EXAMPLES)).isInstanceOf(EvaluationException.class).hasMessageContaining("'m'").hasMessageContaining("q1")
                .hasMessageContaining("out of memory");
        assertThatThrownBy(() -> ModelEvaluator.builder().build().evaluate("m", q -> "", List.of()))
                .hasMessageContaining("empty");
        EvaluationResult a = ModelEvaluator.builder().build().evaluate("a", q -> "", EXAMPLES);
        EvaluationResult b = ModelEvaluator.builder().build().evaluate("b", q -> "", EXAMPLES.subList(0, 2));
        assertThatThrownBy(() -> new ModelComparison(a, b)).hasMessageContaining("same questions");
    }
}
