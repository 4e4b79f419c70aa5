package dev.trellis.samples;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.MiniLmModel;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;

import java.nio.file.Path;
import java.util.List;

/**
 * The catalogue as a Lucene index of local embeddings under {@code $TRELLIS_HOME/indexes/catalog},
 * built once and reused by later runs.
 */
final class CatalogIndex implements AutoCloseable {

    private static final int BATCH = 64;

    private final BatchedEmbeddingModel embeddings;
    private final LuceneEmbeddingStore store;

    private CatalogIndex(BatchedEmbeddingModel embeddings, LuceneEmbeddingStore store) {
        this.embeddings = embeddings;
        this.store = store;
    }

    /** Opens the index at {@code dir}, first embedding {@code csv} into it if it is empty. */
    static CatalogIndex openOrBuild(Path csv, Path dir, java.io.PrintStream out) {
        var embeddings = BatchedEmbeddingModel.create();
        var store = LuceneEmbeddingStore.builder().directory(dir).dimension(MiniLmModel.DIMENSION).build();
        try {
            if (store.size() > 0) {
                out.println("Reusing the index at " + dir + " (" + store.size() + " rows)");
            } else {
                List<Document> rows = CsvLoader.builder().path(csv).contentColumns("description")
                        .metadataColumns("id", "name", "category", "price").build().load();
                try (Progress progress = Progress.start("Embedding " + csv.getFileName(), rows.size())) {
                    for (int from = 0; from < rows.size(); from += BATCH) {
                        List<TextSegment> batch = rows.subList(from, Math.min(rows.size(), from + BATCH)).stream()
                                .map(Document::toTextSegment).toList();
                        store.addAll(embeddings.embedAll(batch).content(), batch);
                        progress.stepBy(batch.size());
                    }
                }
                store.commit();
                out.println("Indexed " + store.size() + " rows into " + dir);
            }
            return new CatalogIndex(embeddings, store);
        } catch (RuntimeException e) {
            store.close();
            embeddings.close();
            throw e;
        }
    }

    /** The {@code k} rows closest in meaning to {@code query} (LangChain's {@code similarity_search}). */
    List<EmbeddingMatch<TextSegment>> similaritySearch(String query, int k) {
        Embedding embedding = embeddings.embed(query).content();
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(embedding).maxResults(k).build()).matches();
    }

    @Override
    public void close() {
        store.close();
        embeddings.close();
    }
}
