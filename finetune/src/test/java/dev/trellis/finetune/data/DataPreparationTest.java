package dev.trellis.finetune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The course's data preparation steps (load, template, tokenize, pad/truncate, split) in Java. */
class DataPreparationTest {

    @TempDir
    static Path dir;
    static HfTokenizer tokenizer;
    static Path qaFile;
    static Path alpacaFile;

    static final String[] PRODUCTS = {"Tarn Hiking Pants", "Fjord Trail Shorts", "Ridgeline Dress", "Bivouac Beanie",
        "Summit Shell Jacket", "Canyon Sun Hoodie", "Alpine Fleece", "Harbor Rain Parka"};

    @BeforeAll
    static void setUp() throws Exception {
        StringBuilder qa = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String p = PRODUCTS[i % PRODUCTS.length];
            qa.append(String.format("{\"question\":\"What does the %s cost? (%d)\",\"answer\":\"$%d.95\",\"product\":\"%s\"}%n",
                    p, i, 20 + i, p));
        }
        qaFile = Files.writeString(dir.resolve("qa.jsonl"), qa.toString());
        alpacaFile = Files.writeString(dir.resolve("alpaca.json"), """
                [
                  {"instruction": "Name the fabric of the jacket.", "input": "Summit Shell Jacket: nylon ripstop, UPF 50+", "output": "nylon ripstop"},
                  {"instruction": "Say hello in French.", "input": "", "output": "Bonjour"},
                  {"instruction": "Give the UPF rating.",
                   "input": "Canyon Sun Hoodie: UPF 40",
                   "output": "UPF 40"}
                ]
                """);
        List<String> corpus = new ArrayList<>(Files.readAllLines(qaFile));
        corpus.add(Files.readString(alpacaFile));
        corpus.add(InstructionTemplate.ALPACA.toMap().toString() + InstructionTemplate.QUESTION_ANSWER.toMap());
        BpeTrainer.builder().vocabSize(400).build().train(corpus).save(dir.resolve("tok"));
        tokenizer = HfTokenizer.load(dir.resolve("tok"));
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    @Test
    void detectsFieldPairsTheWayTheCourseDoes() {
        assertThat(InstructionDataset.load(qaFile).fields()).isEqualTo(FieldMapping.QUESTION_ANSWER);
        InstructionDataset alpaca = InstructionDataset.load(alpacaFile);
        assertThat(alpaca.fields()).isEqualTo(new FieldMapping("instruction", "input", "output"));
        assertThat(alpaca.get(0).input()).startsWith("Summit Shell Jacket");
        assertThat(alpaca.get(2).line()).as("line where the third object opens").isEqualTo(4);
        assertThat(FieldMapping.detect(List.of("instruction", "response"), "x"))
                .isEqualTo(new FieldMapping("instruction", null, "response"));
        assertThat(FieldMapping.detect(List.of("input", "output"), "x")).isEqualTo(new FieldMapping("input", null, "output"));
        assertThat(FieldMapping.detect(List.of("text", "id"), "x")).isEqualTo(FieldMapping.TEXT);
        assertThatThrownBy(() -> FieldMapping.detect(List.of("prompt", "completion"), "data.jsonl"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("data.jsonl").hasMessageContaining("[completion, prompt]");
    }

    @Test
    void callerChosenKeysAndCsv() throws Exception {
        Path csv = Files.writeString(dir.resolve("faq.csv"), "query,reply,group\n"
                + "Is it waterproof?,Yes,a\n"
                + "\"Two\nline question\",\"two, with comma\",b\n"
                + "Third?,No,c\n");
        InstructionDataset data = InstructionDataset.loader().fields(FieldMapping.of("query", "reply")).load(csv);
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.get(1).prompt()).isEqualTo("Two\nline question");
        assertThat(data.get(1).response()).isEqualTo("two, with comma");
        assertThat(data.examples().stream().map(InstructionExample::line)).containsExactly(2, 3, 5);
        assertThatThrownBy(() -> InstructionDataset.load(csv)).hasMessageContaining("[group, query, reply]");
    }

    @Test
    void hydratesTheQuestionAnswerAndAlpacaTemplates() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        PromptCompletion first = qa.hydrate(InstructionTemplate.QUESTION_ANSWER).get(0);
        assertThat(first.prompt()).isEqualTo("### Question:\nWhat does the Tarn Hiking Pants cost? (0)\n\n### Answer:\n");
        assertThat(first.completion()).isEqualTo("$20.95");

        List<PromptCompletion> alpaca = InstructionDataset.load(alpacaFile).hydrate(InstructionTemplate.ALPACA);
        assertThat(alpaca.get(0).prompt()).contains("paired with an input").contains("### Input:\nSummit Shell Jacket");
        assertThat(alpaca.get(1).prompt()).doesNotContain("### Input:").endsWith("### Instruction:\nSay hello in French.\n\n### Response:\n");

        InstructionTemplate custom = InstructionTemplate.of("product_qa", "[{product}] {{literal}} Q: {question}\nA: ");
        assertThat(custom.variables()).containsExactly("product", "question");
        assertThat(qa.hydrate(custom).get(1).prompt()).isEqualTo("[Fjord Trail Shorts] {literal} Q: What does the Fjord Trail Shorts cost? (1)\nA: ");
        assertThatThrownBy(() -> qa.hydrate(InstructionTemplate.of("bad", "{context} {question}")))
                .hasMessageContaining("needs variable 'context'").hasMessageContaining("line 1");
        assertThatThrownBy(() -> InstructionTemplate.of("broken", "Q: {question"))
                .hasMessageContaining("unmatched or malformed brace");
        assertThat(InstructionTemplate.fromMap(InstructionTemplate.ALPACA.toMap())).isEqualTo(InstructionTemplate.ALPACA);
        assertThat(InstructionTemplate.fromMap(custom.toMap())).isEqualTo(custom);
    }

    @Test
    void writesProcessedDataBackAsJsonlInBothCourseForms() throws Exception {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        Path textOnly = dir.resolve("processed_text.jsonl");
        Path pairs = dir.resolve("processed_qa.jsonl");
        qa.writeHydratedJsonl(textOnly, InstructionTemplate.QUESTION_ANSWER, true);
        qa.writeHydratedJsonl(pairs, InstructionTemplate.QUESTION_ANSWER, false);
        InstructionDataset text = InstructionDataset.load(textOnly);
        assertThat(text.fields()).isEqualTo(FieldMapping.TEXT);
        assertThat(text.get(0).response()).isEqualTo("### Question:\nWhat does the Tarn Hiking Pants cost? (0)\n\n### Answer:\n$20.95");
        InstructionDataset reread = InstructionDataset.load(pairs);
        assertThat(reread.get(3).prompt()).startsWith("### Question:\n");
        assertThat(reread.get(3).response()).isEqualTo("$23.95");
        Path copy = dir.resolve("copy.jsonl");
        qa.writeJsonl(copy);
        assertThat(Files.readAllLines(copy)).isEqualTo(Files.readAllLines(qaFile));
    }

    @Test
    void tokenizesWithMaskedPromptEosAndExactBoundary() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        TokenizedDataset tok = DatasetTokenizer.builder().tokenizer(tokenizer).build().tokenize(qa);
        assertThat(tok.size()).isEqualTo(40);
        TokenizedExample e = tok.get(0);
        PromptCompletion pc = qa.hydrate(InstructionTemplate.QUESTION_ANSWER).get(0);
        int promptLen = tokenizer.encode(pc.prompt()).length;
        int answerLen = tokenizer.encode(pc.completion()).length;
        assertThat(e.length()).isEqualTo(promptLen + answerLen + 1);
        assertThat(e.inputIds()[e.length() - 1]).isEqualTo(tokenizer.eosTokenId());
        assertThat(Arrays.copyOfRange(e.labels(), 0, promptLen)).containsOnly(TokenizedExample.IGNORE_INDEX);
        assertThat(Arrays.copyOfRange(e.labels(), promptLen, e.length()))
                .isEqualTo(Arrays.copyOfRange(e.inputIds(), promptLen, e.length()));
        assertThat(tokenizer.decode(Arrays.copyOfRange(e.inputIds(), promptLen, e.length() - 1))).isEqualTo("$20.95");
        assertThat(tokenizer.decode(e.inputIds(), true)).isEqualTo(pc.text());

        TokenizedDataset unmasked = DatasetTokenizer.builder().tokenizer(tokenizer).trainOnPrompt(true).build().tokenize(qa);
        assertThat(unmasked.get(0).labels()).isEqualTo(unmasked.get(0).inputIds()); // the course's labels = input_ids
        assertThat(tok.summary().toMap()).containsEntry("train_on_prompt", false).containsEntry("max_length", 2048)
                .containsEntry("examples", 40);
        assertThat(tok.summary().template()).containsEntry("name", "question_answer");
    }

    @Test
    void padsWithEosAndMasksPadding() {
        InstructionDataset alpaca = InstructionDataset.load(alpacaFile);
        TokenizedDataset tok = DatasetTokenizer.builder().tokenizer(tokenizer).template(InstructionTemplate.ALPACA)
                .build().tokenize(alpaca);
        Batch right = tok.batches(3).get(0);
        int len = right.sequenceLength();
        assertThat(len).isEqualTo(tok.examples().stream().mapToInt(TokenizedExample::length).max().orElseThrow());
        int shortest = 1; // the example without input
        int n = tok.get(shortest).length();
        assertThat(n).isLessThan(len);
        assertThat(Arrays.copyOfRange(right.inputIds()[shortest], n, len)).containsOnly(tokenizer.eosTokenId());
        assertThat(Arrays.copyOfRange(right.labels()[shortest], n, len)).containsOnly(TokenizedExample.IGNORE_INDEX);
        assertThat(Arrays.copyOfRange(right.attentionMask()[shortest], 0, n)).containsOnly(1);
        assertThat(Arrays.copyOfRange(right.attentionMask()[shortest], n, len)).containsOnly(0);
        Batch left = tok.batches(3, Side.LEFT).get(0);
        assertThat(Arrays.copyOfRange(left.inputIds()[shortest], len - n, len)).isEqualTo(tok.get(shortest).inputIds());
        assertThat(left.attentionMask()[shortest][0]).isZero();
        assertThat(right.tokenCount()).isEqualTo(left.tokenCount()).isEqualTo((int) tok.summary().tokens());
        assertThat(Batch.flatten(right.inputIds())).hasSize(3 * len);
    }

    @Test
    void truncatesLeftOrRightAtMaxLength() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        TokenizedDataset full = DatasetTokenizer.builder().tokenizer(tokenizer).build().tokenize(qa);
        int[] whole = full.get(0).inputIds();
        int max = whole.length - 4;
        TokenizedDataset left = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(max).build().tokenize(qa);
        assertThat(left.get(0).inputIds()).isEqualTo(Arrays.copyOfRange(whole, 4, whole.length));
        assertThat(left.get(0).labelCount()).isEqualTo(full.get(0).labelCount()); // the answer survives
        assertThat(left.summary().truncated()).isPositive();
        TokenizedDataset right = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(max)
                .truncationSide(Side.RIGHT).onBadRecord(BadRecordPolicy.SKIP).build().tokenize(qa);
        for (TokenizedExample e : right.examples()) {
            assertThat(e.length()).isLessThanOrEqualTo(max);
        }
        // every example keeps at least one answer token or is reported
        assertThat(right.size() + right.badRecords().size()).isEqualTo(40);
        assertThat(right.examples().stream().filter(e -> e.length() == max).findFirst().orElseThrow().inputIds())
                .isEqualTo(Arrays.copyOfRange(whole, 0, max));

        assertThatThrownBy(() -> DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(max).truncate(false).build().tokenize(qa))
                .isInstanceOf(BadRecordsException.class).hasMessageContaining("line 1: OVER_LONG");
    }

    @Test
    void packsShortExamplesWithoutCrossingBoundaries() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        TokenizedDataset singles = DatasetTokenizer.builder().tokenizer(tokenizer).build().tokenize(qa);
        TokenizedDataset packed = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(128).packing(true).build().tokenize(qa);
        assertThat(packed.size()).isLessThan(singles.size());
        assertThat(packed.summary().tokens()).isEqualTo(singles.summary().tokens());
        assertThat(packed.summary().labelledTokens()).isEqualTo(singles.summary().labelledTokens());
        int[] flat = singles.examples().stream().flatMapToInt(e -> Arrays.stream(e.inputIds())).toArray();
        int[] packedFlat = packed.examples().stream().flatMapToInt(e -> Arrays.stream(e.inputIds())).toArray();
        assertThat(packedFlat).isEqualTo(flat);
        TokenizedExample seq = packed.get(0);
        assertThat(seq.length()).isLessThanOrEqualTo(128);
        int second = singles.get(0).length();
        assertThat(seq.positionIds()[second]).isZero();
        assertThat(seq.positionIds()[second - 1]).isEqualTo(second - 1);
        assertThat(seq.inputIds()[second - 1]).isEqualTo(tokenizer.eosTokenId());
        assertThat(seq.labels()[second - 1]).isEqualTo(tokenizer.eosTokenId()); // learns to stop
        assertThat(seq.labels()[second]).isEqualTo(TokenizedExample.IGNORE_INDEX);
        // unmasked packing still never labels the first token of the next example
        TokenizedDataset packedText = DatasetTokenizer.builder().tokenizer(tokenizer).maxLength(128).packing(true)
                .trainOnPrompt(true).build().tokenize(qa);
        assertThat(packedText.get(0).labels()[second]).isEqualTo(TokenizedExample.IGNORE_INDEX);
        assertThat(packedText.get(0).labels()[second + 1]).isEqualTo(packedText.get(0).inputIds()[second + 1]);
    }

    @Test
    void splitIsDeterministicForASeed() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        DatasetSplit a = qa.trainTestSplit(0.1, 123);
        DatasetSplit b = qa.trainTestSplit(0.1, 123);
        DatasetSplit c = qa.trainTestSplit(0.1, 124);
        assertThat(a.test().size()).isEqualTo(4);
        assertThat(a.train().size()).isEqualTo(36);
        assertThat(lines(a.test())).isEqualTo(lines(b.test()));
        assertThat(lines(a.train())).isEqualTo(lines(b.train()));
        assertThat(lines(a.test())).isNotEqualTo(lines(c.test()));
        Set<Integer> all = new HashSet<>(lines(a.train()));
        all.addAll(lines(a.test()));
        assertThat(all).hasSize(40);
        assertThatThrownBy(() -> qa.trainTestSplit(1.0, 1)).hasMessageContaining("between 0 and 1");
    }

    @Test
    void groupSplitKeepsTestProductsOutOfTraining() {
        InstructionDataset qa = InstructionDataset.load(qaFile);
        DatasetSplit split = qa.trainTestSplitByGroup("product", 0.2, 7);
        Set<String> trainProducts = split.train().examples().stream().map(e -> e.field("product")).collect(Collectors.toSet());
        Set<String> testProducts = split.test().examples().stream().map(e -> e.field("product")).collect(Collectors.toSet());
        assertThat(testProducts).isNotEmpty().doesNotContainAnyElementsOf(trainProducts);
        assertThat(split.test().size()).isGreaterThanOrEqualTo(8);
        assertThat(split.train().size() + split.test().size()).isEqualTo(40);
        assertThat(lines(qa.trainTestSplitByGroup("product", 0.2, 7).test())).isEqualTo(lines(split.test()));
    }

    @Test
    void reportsBadRecordsWithLineNumbers() throws Exception {
        Path messy = Files.writeString(dir.resolve("messy.jsonl"), String.join("\n",
                "{\"question\": \"ok one\", \"answer\": \"yes\"}",
                "",
                "{\"question\": \"broken\", \"answer\": ",
                "[1, 2]",
                "{\"question\": \"no answer field\"}",
                "{\"question\": \"blank answer\", \"answer\": \"  \"}",
                "{\"question\": \"ok two\", \"answer\": \"no\"}",
                "{\"question\": \"null answer\", \"answer\": null}") + "\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> InstructionDataset.load(messy))
                .isInstanceOf(BadRecordsException.class)
                .hasMessageContaining("5 bad records")
                .hasMessageContaining("line 3: INVALID_JSON")
                .hasMessageContaining("line 4: INVALID_JSON")
                .hasMessageContaining("line 5: MISSING_FIELD")
                .hasMessageContaining("line 6: EMPTY_ANSWER")
                .hasMessageContaining("line 8: MISSING_FIELD")
                .hasMessageContaining("onBadRecord(BadRecordPolicy.SKIP)");
        InstructionDataset skipped = InstructionDataset.loader().onBadRecord(BadRecordPolicy.SKIP).load(messy);
        assertThat(skipped.examples().stream().map(InstructionExample::line)).containsExactly(1, 7);
        assertThat(skipped.badRecords().stream().map(BadRecord::line)).containsExactly(3, 4, 5, 6, 8);
        assertThat(skipped.badRecords().get(0).reason()).isEqualTo(BadRecord.Reason.INVALID_JSON);

        Path withEos = Files.writeString(dir.resolve("eos.jsonl"),
                "{\"question\": \"fine\", \"answer\": \"ok\"}\n{\"question\": \"sneaky\", \"answer\": \"stop<|endoftext|>here\"}\n");
        TokenizedDataset tok = DatasetTokenizer.builder().tokenizer(tokenizer).onBadRecord(BadRecordPolicy.SKIP)
                .build().tokenize(InstructionDataset.load(withEos));
        assertThat(tok.size()).isEqualTo(1);
        assertThat(tok.badRecords()).singleElement().satisfies(b -> {
            assertThat(b.line()).isEqualTo(2);
            assertThat(b.reason()).isEqualTo(BadRecord.Reason.CONTROL_TOKEN_IN_TEXT);
        });
        assertThat(tok.summary().skipped()).isEqualTo(1);
    }

    @Test
    void badFilesAreExplained() throws Exception {
        assertThatThrownBy(() -> InstructionDataset.load(dir.resolve("missing.jsonl"))).hasMessageContaining("does not exist");
        Path txt = Files.writeString(dir.resolve("data.txt"), "hello");
        assertThatThrownBy(() -> InstructionDataset.load(txt)).hasMessageContaining(".jsonl, .json");
        Path notArray = Files.writeString(dir.resolve("obj.json"), "{\"question\": \"a\"}");
        assertThatThrownBy(() -> InstructionDataset.load(notArray)).hasMessageContaining("not a JSON array");
    }

    private static List<Integer> lines(InstructionDataset d) {
        return d.examples().stream().map(InstructionExample::line).toList();
    }

    @Test
    void edgeCaseFilesGetClearMessagesNotCrashes() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertThatThrownBy(() -> InstructionDataset.load(empty)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("is empty").hasMessageNotContaining("fields are");
        Path blank = Files.writeString(dir.resolve("blank.jsonl"), "\n\n  \n");
        assertThatThrownBy(() -> InstructionDataset.load(blank)).hasMessageContaining("is empty");
        Path emptyArray = Files.writeString(dir.resolve("empty.json"), "[]");
        assertThatThrownBy(() -> InstructionDataset.load(emptyArray)).hasMessageContaining("is empty");
        Path headerOnly = Files.writeString(dir.resolve("header.csv"), "question,answer\n");
        assertThatThrownBy(() -> InstructionDataset.load(headerOnly)).hasMessageContaining("is empty")
                .hasMessageContaining("only the header");

        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        Path binary = Files.write(dir.resolve("picture.jsonl"), png);
        assertThatThrownBy(() -> InstructionDataset.load(binary)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("binary file").hasMessageNotContaining("Input length");
        Path latin1 = Files.write(dir.resolve("latin1.csv"), "question,answer\ncaf\u00e9?,oui\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> InstructionDataset.load(latin1)).hasMessageContaining("not UTF-8")
                .hasMessageNotContaining("Input length");

        Path one = Files.writeString(dir.resolve("one.jsonl"), "{\"question\": \"only one?\", \"answer\": \"yes\"}\n");
        InstructionDataset single = InstructionDataset.load(one);
        assertThat(single.size()).isEqualTo(1);
        assertThatThrownBy(() -> single.trainTestSplit(0.1, 1)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("1 usable example").hasMessageContaining("at least 2");
    }

    @Test
    void numbersAreTakenAsTextAndObjectsAreBadRecords() throws Exception {
        Path typed = Files.writeString(dir.resolve("typed.jsonl"), String.join("\n",
                "{\"question\": \"What is 2+2?\", \"answer\": 4}",
                "{\"question\": \"Is it waterproof?\", \"answer\": true}",
                "{\"question\": {\"text\": \"nested\"}, \"answer\": \"no\"}",
                "{\"question\": \"list?\", \"answer\": [1, 2]}",
                "{\"question\": 7, \"answer\": 7.5}") + "\n");
        assertThatThrownBy(() -> InstructionDataset.load(typed)).isInstanceOf(BadRecordsException.class)
                .hasMessageContaining("2 bad records")
                .hasMessageContaining("line 3: WRONG_TYPE").hasMessageContaining("'question'")
                .hasMessageContaining("line 4: WRONG_TYPE").hasMessageContaining("'answer'");
        InstructionDataset kept = InstructionDataset.loader().onBadRecord(BadRecordPolicy.SKIP).load(typed);
        assertThat(kept.examples()).extracting(InstructionExample::response).containsExactly("4", "true", "7.5");
        assertThat(kept.get(2).prompt()).isEqualTo("7");
    }
}
