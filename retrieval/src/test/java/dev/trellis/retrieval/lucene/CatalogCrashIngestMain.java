package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.trellis.retrieval.SampleCatalog;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.EmbeddingSegmenter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process for {@link CatalogCrashRecoveryTest}: embeds the sample catalogue's segments in batches and
 * adds each batch (ids in segment order, committing every {@code commitEvery}), printing how many were added,
 * until it is killed.
 */
public final class CatalogCrashIngestMain {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int commitEvery = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        List<TextSegment> segments = CatalogCrashRecoveryTest.segments();
        try (BatchedEmbeddingModel model = BatchedEmbeddingModel.builder().threads(1).build();
             LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).dimension(model.dimension())
                     .commitPolicy(CommitPolicy.everyDocuments(commitEvery)).build()) {
            // loop over the catalogue again and again under new ids, so the parent can kill at any time
            for (int added = 0; ; added += batch) {
                List<String> ids = new ArrayList<>();
                List<TextSegment> slice = new ArrayList<>();
                for (int i = added; i < added + batch; i++) {
                    ids.add(CrashRecoveryTest.id(i));
                    slice.add(segments.get(i % segments.size()));
                }
                List<Embedding> embeddings = model.embedAll(slice).content();
                store.addAll(ids, embeddings, slice);
                System.out.println("added " + (added + batch));
                System.out.flush();
            }
        }
    }

    private CatalogCrashIngestMain() {
    }

    static List<TextSegment> load() {
        try (EmbeddingSegmenter segmenter = EmbeddingSegmenter.create()) {
            return segmenter.splitAll(SampleCatalog.documents());
        }
    }
}
