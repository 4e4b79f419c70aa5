package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Searches running while another thread ingests never fail and see a growing index. */
class ConcurrentSearchTest {

    @TempDir
    Path dir;

    @Test
    void searchesWhileIngestingAreSafe() throws Exception {
        List<Embedding> data = TestVectors.clustered(3_000, 32, 10, 3);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder()
                .directory(dir).dimension(32).commitPolicy(CommitPolicy.everyDocuments(1_000)).build()) {
            List<Thread> searchers = new ArrayList<>();
            int[] searches = new int[2];
            for (int t = 0; t < 2; t++) {
                int me = t;
                Thread thread = new Thread(() -> {
                    try {
                        int lastSize = 0;
                        while (!done.get()) {
                            int size = store.size();
                            assertThat(size).isGreaterThanOrEqualTo(lastSize);
                            lastSize = size;
                            List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                                    .queryEmbedding(data.get(searches[me] % data.size())).maxResults(5).build()).matches();
                            assertThat(matches).hasSizeLessThanOrEqualTo(5);
                            searches[me]++;
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                thread.start();
                searchers.add(thread);
            }
            List<String> ids = new ArrayList<>();
            for (int from = 0; from < data.size(); from += 100) {
                ids.addAll(store.addAll(data.subList(from, from + 100)));
            }
            done.set(true);
            for (Thread thread : searchers) {
                thread.join(30_000);
            }
            assertThat(failures).isEmpty();
            assertThat(searches[0] + searches[1]).isGreaterThan(10);
            assertThat(store.size()).isEqualTo(data.size());
            for (int i = 0; i < data.size(); i += 150) {
                assertThat(store.search(EmbeddingSearchRequest.builder().queryEmbedding(data.get(i)).maxResults(1).build())
                        .matches().get(0).embeddingId()).isEqualTo(ids.get(i));
            }
        }
    }
}
