package dev.trellis.samples.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.pretrain.GroupedCorpus;
import dev.trellis.finetune.pretrain.Pretrainer;
import dev.trellis.finetune.pretrain.ReadingCorpus;
import dev.trellis.samples.SampleData;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The pretraining corpus never shows the shipped catalogue: no row of catalog.csv (its product names,
 * ids and descriptions) and no product of docs_qa's test split occurs in it, so the base cannot have
 * memorised what the reader bench asks. Checked on the shipped base's training and held-out seeds.
 */
class ReadingCorpusIsolationTest {

    private static final int WINDOW = 4;

    @Test
    void noCatalogueRowOrTestProductOccursInTheCorpus() throws IOException {
        List<String> names = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(SampleData.file(SampleData.CATALOG))) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
                names.add(r.get("name"));
                descriptions.add(r.get("description"));
            }
        }
        Set<String> testProducts = new HashSet<>();
        for (InstructionExample e : InstructionDataset.load(SampleData.file(SampleData.DOCS_QA)).examples()) {
            if ("test".equals(e.field("split")) && !e.field("product").isEmpty()) {
                testProducts.add(e.field("product"));
            }
        }
        assertThat(testProducts).isNotEmpty();
        // every product name (and every description's opening) as a run of words; a corpus text holding one holds its first words
        Set<String> forbidden = new HashSet<>();
        names.forEach(n -> forbidden.add(firstWords(n)));
        descriptions.forEach(d -> forbidden.add(firstWords(d)));

        long seed = 20261204L;
        for (long s : List.of(seed, seed + Pretrainer.HELD_OUT_SEED_OFFSET)) {
            ReadingCorpus corpus = new ReadingCorpus(s);
            for (int i = 0; i < 20_000; i++) {
                String doc = i % 5 == 4 ? corpus.prose() : corpus.nextDocument(1 + i % 8);
                assertThat(doc).doesNotContain("TR-");
                List<String> words = words(doc);
                for (int w = 0; w + WINDOW <= words.size(); w++) {
                    String run = String.join(" ", words.subList(w, w + WINDOW));
                    assertThat(forbidden).as("corpus seed %d document %d", s, i).doesNotContain(run);
                }
            }
        }
        assertThat(GroupedCorpus.STAGES).isNotEmpty();
    }

    private static String firstWords(String text) {
        List<String> w = words(text);
        return String.join(" ", w.subList(0, Math.min(WINDOW, w.size())));
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
