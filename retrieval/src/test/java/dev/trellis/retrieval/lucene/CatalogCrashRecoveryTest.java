package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a child JVM ingesting the sample catalogue (real segments, real MiniLM embeddings): the store
 * reopens at its last commit, which holds exactly the first segments added, with their text and metadata.
 */
class CatalogCrashRecoveryTest {

    private static final int COMMIT_EVERY = 64;
    private static final int BATCH = 24;
    private static final int KILL_AFTER = 200;

    @TempDir
    Path dir;

    static List<TextSegment> segments() {
        return CatalogCrashIngestMain.load();
    }

    @Test
    void killedCatalogueIngestionReopensHoldingAPrefixOfTheSegments() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                CatalogCrashIngestMain.class.getName(), dir.toString(), Integer.toString(COMMIT_EVERY), Integer.toString(BATCH))
                .redirectErrorStream(true).start();
        int lastReported = 0;
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            String line;
            while (lastReported < KILL_AFTER && System.nanoTime() < deadline && (line = lines.readLine()) != null) {
                output.add(line);
                if (line.startsWith("added ")) {
                    lastReported = Integer.parseInt(line.substring(6));
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, no final commit
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastReported).as("child output: %s", output).isGreaterThanOrEqualTo(KILL_AFTER);

        List<TextSegment> expected = segments();
        TreeMap<String, String> committed = new TreeMap<>();
        try (FSDirectory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            StoredFields stored = reader.storedFields();
            for (int doc = 0; doc < reader.maxDoc(); doc++) {
                committed.put(stored.document(doc).get(LuceneEmbeddingStore.ID), stored.document(doc).get(LuceneEmbeddingStore.TEXT));
            }
        }
        int count = committed.size();
        assertThat(count % COMMIT_EVERY).as("commits hold whole intervals").isZero();
        assertThat(count).isGreaterThanOrEqualTo(lastReported / COMMIT_EVERY * COMMIT_EVERY);
        int i = 0;
        for (var entry : committed.entrySet()) {
            assertThat(entry.getKey()).isEqualTo(CrashRecoveryTest.id(i));
            assertThat(entry.getValue()).isEqualTo(expected.get(i % expected.size()).text());
            i++;
        }

        // the store reopens and finds a committed catalogue segment by its meaning, metadata intact
        TextSegment last = expected.get((count - 1) % expected.size());
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).build();
             BatchedEmbeddingModel model = BatchedEmbeddingModel.builder().threads(1).build()) {
            assertThat(store.size()).isEqualTo(count);
            List<EmbeddingMatch<TextSegment>> top = store.search(EmbeddingSearchRequest.builder()
                    .queryEmbedding(model.embed(last.text()).content()).maxResults(1).build()).matches();
            assertThat(top).singleElement().satisfies(m -> {
                assertThat(m.embedded().text()).isEqualTo(last.text());
                assertThat(m.embedded().metadata().getInteger("row")).isEqualTo(last.metadata().getInteger("row"));
                assertThat(m.score()).isGreaterThan(0.999);
            });
        }
    }
}
