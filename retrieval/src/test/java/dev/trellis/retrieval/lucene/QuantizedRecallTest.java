package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** int8 scalar quantization with oversampling and exact rescoring keeps recall@10 high. */
class QuantizedRecallTest {

    @TempDir
    Path dir;

    @Test
    void quantizedStoreKeepsRecallAtTenAbove95Percent() throws IOException {
        List<Embedding> all = TestVectors.clustered(2_040, 384, 20, 7);
        List<Embedding> data = all.subList(0, 2_000);
        List<Embedding> queries = all.subList(2_000, 2_040); // same clusters, not in the index
        double recall;
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder()
                .directory(dir).dimension(384).quantized(true).commitPolicy(CommitPolicy.manual()).build()) {
            List<String> ids = store.addAll(data);
            store.forceMerge(1);
            int found = 0;
            for (Embedding query : queries) {
                List<String> got = store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(10).build())
                        .matches().stream().map(EmbeddingMatch::embeddingId).toList();
                for (int i : TestVectors.exactTopK(data, query, 10)) {
                    found += got.contains(ids.get(i)) ? 1 : 0;
                }
            }
            recall = found / (10.0 * queries.size());
            System.out.println("quantized recall@10 on 2,000 clustered 384-d vectors: " + recall);
        }
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
        // every segment's vector field was written with Lucene's scalar-quantized HNSW format
        try (FSDirectory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            assertThat(reader.leaves()).isNotEmpty().allSatisfy(leaf -> assertThat(leaf.reader().getFieldInfos()
                    .fieldInfo(LuceneEmbeddingStore.VECTOR).getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY))
                    .isEqualTo("Lucene99HnswScalarQuantizedVectorsFormat"));
        }
    }
}
