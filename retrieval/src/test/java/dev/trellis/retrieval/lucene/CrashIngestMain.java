package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process for {@link CrashRecoveryTest}: ingests numbered documents forever (committing every
 * {@code commitEvery}) and prints how many were added after each call, until it is killed.
 */
public final class CrashIngestMain {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int commitEvery = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        List<Embedding> pool = TestVectors.clustered(1_000, 32, 8, 11);
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).dimension(32)
                .commitPolicy(CommitPolicy.everyDocuments(commitEvery)).build()) {
            for (int added = 0; ; added += batch) {
                List<String> ids = new ArrayList<>();
                List<Embedding> embeddings = new ArrayList<>();
                List<TextSegment> segments = new ArrayList<>();
                for (int i = added; i < added + batch; i++) {
                    ids.add(CrashRecoveryTest.id(i));
                    embeddings.add(pool.get(i % pool.size()));
                    segments.add(TextSegment.from("document number " + i, new Metadata().put("n", i)));
                }
                store.addAll(ids, embeddings, segments);
                System.out.println("added " + (added + batch));
                System.out.flush();
            }
        }
    }
}
