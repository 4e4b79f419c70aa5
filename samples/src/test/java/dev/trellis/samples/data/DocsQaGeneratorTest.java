package dev.trellis.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.trellis.finetune.data.Batch;
import dev.trellis.finetune.data.DatasetSplit;
import dev.trellis.finetune.data.DatasetTokenizer;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.PromptCompletion;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped docs_qa.jsonl: reproducible, well formed, leak-free, and usable by the finetune data pipeline. */
class DocsQaGeneratorTest {

    static final Path CATALOG = Path.of("src/main/resources/data/catalog.csv");
    static final Path DOCS_QA = Path.of("src/main/resources/data/docs_qa.jsonl");

    @TempDir
    Path tmp;

    @Test
    void regenerationReproducesTheShippedFileByteForByte() throws Exception {
        Path out = tmp.resolve("docs_qa.jsonl");
        DocsQaGenerator.write(DocsQaGenerator.generate(DocsQaGenerator.readCatalog(CATALOG), DocsQaGenerator.DEFAULT_SEED), out);
        assertThat(Files.mismatch(out, DOCS_QA)).as("first differing byte; rerun DocsQaGenerator.main").isEqualTo(-1L);
        Path other = tmp.resolve("other.jsonl");
        DocsQaGenerator.write(DocsQaGenerator.generate(DocsQaGenerator.readCatalog(CATALOG), 1L), other);
        assertThat(Files.mismatch(other, DOCS_QA)).isNotEqualTo(-1L);
    }

    @Test
    void holdsShortExactAnswersOfEveryKind() {
        InstructionDataset data = InstructionDataset.load(DOCS_QA);
        assertThat(data.fields()).isEqualTo(FieldMapping.QUESTION_ANSWER);
        assertThat(data.size()).isGreaterThanOrEqualTo(1000);
        Map<String, Long> kinds = data.examples().stream().collect(Collectors.groupingBy(e -> e.field("kind"), Collectors.counting()));
        assertThat(kinds.keySet()).containsExactlyInAnyOrder("catalog_context", "catalog", "docs", "off_topic",
                "catalog_yes_no", "grading");
        assertThat(kinds.get("catalog_context")).isGreaterThan(data.size() / 2);
        for (InstructionExample e : data.examples()) {
            assertThat(e.response().length()).as("answer at line %d", e.line()).isLessThanOrEqualTo(90);
            if (e.field("kind").equals("off_topic")) {
                assertThat(e.response()).isEqualTo(DocsQaGenerator.REFUSAL);
            }
            if (e.field("kind").equals("catalog_context")) {
                assertThat(e.prompt()).startsWith("Context:\nid: ").contains("\n\nQuestion: ");
                String context = e.prompt().substring(0, e.prompt().indexOf("\n\nQuestion: ") + 1);
                if (!e.response().equals(DocsQaGenerator.NOT_IN_CONTEXT)) {
                    assertThat(context).as("line %d answers from its context", e.line()).contains(inContextForm(e.response()));
                    assertThat(context).contains("id: " + e.field("product") + "\n");
                } else {
                    assertThat(context).doesNotContain("id: " + e.field("product") + "\n");
                }
            }
        }
    }

    /** How an answer appears in the rows: "$12.50" as "price: 12.50", "UPF 30" as "upf: 30". */
    private static String inContextForm(String answer) {
        if (answer.startsWith("$")) {
            return "price: " + answer.substring(1) + "\n";
        }
        if (answer.equals("No UPF rating")) {
            return "upf: none\n";
        }
        if (answer.startsWith("UPF ")) {
            return "upf: " + answer.substring(4) + "\n";
        }
        return ": " + answer + "\n";
    }

    @Test
    void testProductsNeverOccurInTraining() {
        DatasetSplit split = InstructionDataset.load(DOCS_QA).splitByField("split");
        assertThat(split.test().size()).isGreaterThanOrEqualTo(100);
        Set<String> testIds = split.test().examples().stream().map(e -> e.field("product"))
                .filter(p -> !p.isEmpty()).collect(Collectors.toSet());
        assertThat(testIds).hasSizeGreaterThanOrEqualTo(50);
        Map<String, String> names = DocsQaGenerator.readCatalog(CATALOG).stream()
                .collect(Collectors.toMap(r -> r.get("id"), r -> r.get("name")));
        for (InstructionExample e : split.train().examples()) {
            assertThat(testIds).doesNotContain(e.field("product"));
            for (String id : testIds) {
                assertThat(e.prompt()).doesNotContain(id).doesNotContain(names.get(id));
                assertThat(e.response()).isNotEqualTo(names.get(id));
            }
        }
        Set<String> trainQuestions = split.train().examples().stream().map(InstructionExample::prompt).collect(Collectors.toSet());
        assertThat(split.test().examples()).noneMatch(e -> trainQuestions.contains(e.prompt()));
    }

    /** The course's preparation steps on our own dataset: load, split, template, tokenize, pad. */
    @Test
    void preparesForTrainingLikeTheCourse() {
        InstructionDataset data = InstructionDataset.load(DOCS_QA);
        DatasetSplit split = data.splitByField("split");
        List<PromptCompletion> train = split.train().hydrate(InstructionTemplate.QUESTION_ANSWER);
        assertThat(train.get(0).prompt()).startsWith("### Question:\n").endsWith("\n\n### Answer:\n");

        Path tokDir = tmp.resolve("tokenizer");
        BpeTrainer.builder().vocabSize(1024).build()
                .train(train.stream().map(PromptCompletion::text).toList()).save(tokDir);
        try (HfTokenizer tokenizer = HfTokenizer.load(tokDir)) {
            DatasetTokenizer prep = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(512).truncate(false).build();
            TokenizedDataset trainTokens = prep.tokenize(split.train());
            TokenizedDataset testTokens = prep.tokenize(split.test());
            assertThat(trainTokens.size()).isEqualTo(split.train().size());
            assertThat(trainTokens.summary().truncated()).isZero();
            for (int i = 0; i < testTokens.size(); i++) {
                TokenizedExample e = testTokens.get(i);
                int[] answerIds = Arrays.stream(e.labels()).filter(l -> l != TokenizedExample.IGNORE_INDEX).toArray();
                assertThat(tokenizer.decode(answerIds, true)).isEqualTo(split.test().get(i).response());
            }
            Batch batch = trainTokens.shuffle(123).batches(8).get(0);
            assertThat(batch.batchSize()).isEqualTo(8);
            assertThat(batch.labelCount()).isPositive().isLessThan(batch.tokenCount());
        }
    }

    @Test
    void aCatalogueWithoutTheNeededColumnsIsExplained() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.csv"), "id,title\nTR-1,Jacket\n");
        assertThatThrownBy(() -> DocsQaGenerator.readCatalog(bad))
                .hasMessageContaining("bad.csv").hasMessageContaining("lacks columns").hasMessageContaining("[id, title]");
    }
}
