package dev.trellis.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.samples.data.DocsQaGenerator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReaderBenchBestRowTest {

    @Test
    void keepsOnlyTheNamedProductsRowInTheTrainingDataShape() {
        Map<String, String> parka = row("TR-0469", "Northwind Scree Parka in Navy", "145.95");
        Map<String, String> pants = row("TR-0761", "Glacier Bay Ember Rain Pants in Glacier Blue", "189.50");
        String question = "How much do the Glacier Bay Ember Rain Pants in Glacier Blue cost?";

        String best = ReaderBench.bestRow(DocsQaGenerator.withContext(List.of(parka, pants), question));

        assertThat(best).isEqualTo(DocsQaGenerator.withContext(List.of(pants), question));
    }

    @Test
    void everyBenchQuestionKeepsOneRowAndItsQuestion() {
        for (InstructionExample e : ReaderBench.contextQuestions(0)) {
            String best = ReaderBench.bestRow(e.prompt());
            assertThat(best).startsWith("Context:\nid: ").endsWith(e.prompt().substring(e.prompt().lastIndexOf("\n\nQuestion: ")));
            assertThat(best.split("\n\nid: ")).hasSize(1);
        }
        assertThat(ReaderBench.bestRow("What is Trellis?")).isEqualTo("What is Trellis?");
    }

    @Test
    void theNamedRowRefusesEveryQuestionAboutAnAbsentProductAndNoOther() {
        List<String> asked = new java.util.ArrayList<>();
        dev.trellis.finetune.eval.Answerer named = ReaderBench.namedRow(prompt -> {
            asked.add(prompt);
            return "asked";
        });
        int refused = 0;
        for (InstructionExample e : ReaderBench.contextQuestions(0)) {
            asked.clear();
            String answer = named.answer(e.prompt());
            if (ReaderBench.kind(e.prompt(), e.response()).equals("not_in_context")) {
                assertThat(answer).as(e.prompt()).isEqualTo(DocsQaGenerator.NOT_IN_CONTEXT);
                assertThat(asked).isEmpty();
                refused++;
            } else {
                assertThat(answer).as(e.prompt()).isEqualTo("asked");
                assertThat(asked.get(0)).startsWith("Context:\nid: " + e.field("product") + "\n")
                        .doesNotContain("\n\nid: ");
            }
        }
        assertThat(refused).isEqualTo(5);
    }

    private static Map<String, String> row(String id, String name, String price) {
        Map<String, String> r = new LinkedHashMap<>();
        for (String c : DocsQaGenerator.CONTEXT_COLUMNS) {
            r.put(c, c);
        }
        r.put("id", id);
        r.put("name", name);
        r.put("price", price);
        return r;
    }
}
