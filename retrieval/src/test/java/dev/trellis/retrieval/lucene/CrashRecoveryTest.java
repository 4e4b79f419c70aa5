package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 in the middle of ingestion: the store reopens at its last commit, an exact prefix of the adds. */
class CrashRecoveryTest {

    private static final int COMMIT_EVERY = 200;
    private static final int BATCH = 50;

    @TempDir
    Path dir;

    static String id(int n) {
        return String.format("doc-%07d", n);
    }

    @Test
    void killedIngestionLeavesTheLastCommitReadableAndAPrefixOfTheAdds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashIngestMain.class.getName(), dir.toString(), Integer.toString(COMMIT_EVERY), Integer.toString(BATCH))
                .redirectErrorStream(true).start();
        int lastReported = 0;
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            // kill it part-way through a commit interval, well after several commits
            while (lastReported < 1_050 && System.nanoTime() < deadline && (line = lines.readLine()) != null) {
                output.add(line);
                if (line.startsWith("added ")) {
                    lastReported = Integer.parseInt(line.substring(6));
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, no final commit
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastReported).as("child output: %s", output).isGreaterThanOrEqualTo(1_050);

        List<String> ids = new ArrayList<>();
        try (FSDirectory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            StoredFields stored = reader.storedFields();
            for (int doc = 0; doc < reader.maxDoc(); doc++) {
                ids.add(stored.document(doc).get(LuceneEmbeddingStore.ID));
            }
        }
        ids.sort(null);
        int committed = ids.size();
        assertThat(committed % COMMIT_EVERY).as("commits hold whole intervals").isZero();
        assertThat(committed).isGreaterThanOrEqualTo(lastReported / COMMIT_EVERY * COMMIT_EVERY);
        for (int i = 0; i < committed; i++) {
            assertThat(ids.get(i)).isEqualTo(id(i));
        }

        // the store itself reopens (the dead process' lock is gone), searches and accepts more writes
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).build()) {
            assertThat(store.size()).isEqualTo(committed);
            List<EmbeddingMatch<TextSegment>> last = store.search(EmbeddingSearchRequest.builder()
                    .queryEmbedding(TestVectors.clustered(1_000, 32, 8, 11).get((committed - 1) % 1_000))
                    .maxResults(50).filter(metadataKey("n").isEqualTo(committed - 1)).build()).matches();
            assertThat(last).singleElement().satisfies(m -> assertThat(m.embedded().text()).isEqualTo("document number " + (committed - 1)));
            store.add(id(committed), TestVectors.clustered(1, 32, 1, 1).get(0));
            assertThat(store.size()).isEqualTo(committed + 1);
        }
    }
}
