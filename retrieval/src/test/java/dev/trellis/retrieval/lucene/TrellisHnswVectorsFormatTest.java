package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The SIMD dot product, the scorer built on it, and the vector format that carries it into Lucene. */
class TrellisHnswVectorsFormatTest {

    @TempDir
    Path dir;

    @Test
    void theTestJvmRunsTheSimdKernel() {
        // the build runs tests with --add-modules jdk.incubator.vector, as the trellis launcher runs the CLI
        assertThat(DotProduct.best()).isInstanceOf(SimdDotProduct.class);
    }

    @Test
    void simdDotProductMatchesLuceneAtEveryLengthIncludingTails() {
        Random random = new Random(7);
        DotProduct simd = new SimdDotProduct();
        for (int length = 0; length <= 130; length++) {
            float[] a = randomVector(random, length);
            float[] b = randomVector(random, length);
            double exact = 0;
            for (int i = 0; i < length; i++) {
                exact += a[i] * (double) b[i];
            }
            assertThat((double) simd.dot(a, b)).as("length %d", length).isCloseTo(exact, within(1e-4));
            if (length > 0) {
                assertThat(simd.dot(a, b)).isCloseTo(DotProduct.LUCENE.dot(a, b), within(1e-4f));
            }
        }
    }

    @Test
    void scorerGivesLucenesDotProductScores() throws Exception {
        Random random = new Random(11);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            vectors.add(LuceneEmbeddingStore.unit(randomVector(random, 384)));
        }
        RandomAccessVectorValues.Floats values = RandomAccessVectorValues.fromFloats(vectors, 384);
        FastFlatVectorsScorer scorer = new FastFlatVectorsScorer(new SimdDotProduct());
        float[] query = vectors.get(3);
        RandomVectorScorer queryScorer = scorer.getRandomVectorScorer(VectorSimilarityFunction.DOT_PRODUCT, values, query);
        RandomVectorScorerSupplier supplier = scorer.getRandomVectorScorerSupplier(VectorSimilarityFunction.DOT_PRODUCT, values);
        RandomVectorScorer nodeScorer = supplier.copy().scorer(3);
        for (int node = 0; node < vectors.size(); node++) {
            float expected = VectorSimilarityFunction.DOT_PRODUCT.compare(query, vectors.get(node));
            assertThat(queryScorer.score(node)).isCloseTo(expected, within(1e-6f));
            assertThat(nodeScorer.score(node)).isCloseTo(expected, within(1e-6f));
        }
    }

    @Test
    void segmentsRecordTheFormatAndReopenThroughTheServiceLoader() throws Exception {
        assertThat(KnnVectorsFormat.forName(TrellisHnswVectorsFormat.NAME)).isInstanceOf(TrellisHnswVectorsFormat.class);
        List<Embedding> data = TestVectors.clustered(2_000, 64, 20, 5);
        List<Embedding> probes = TestVectors.clustered(20, 64, 20, 6);
        List<List<String>> before = new ArrayList<>();
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).dimension(64).build()) {
            store.addAll(data);
            store.forceMerge(1);
            for (Embedding probe : probes) {
                before.add(ids(store, probe));
            }
        }
        // a plain Lucene reader finds the format by the name in the segment
        try (var directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            assertThat(reader.leaves().get(0).reader().getFieldInfos().fieldInfo(LuceneEmbeddingStore.VECTOR)
                    .getAttribute("PerFieldKnnVectorsFormat.format")).isEqualTo(TrellisHnswVectorsFormat.NAME);
        }
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).build()) {
            for (int i = 0; i < probes.size(); i++) {
                assertThat(ids(store, probes.get(i))).isEqualTo(before.get(i));
            }
        }
    }

    @Test
    void searchesAsLucenesOwnFormatDoes() throws Exception {
        Random random = new Random(3);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            vectors.add(LuceneEmbeddingStore.unit(randomVector(random, 48)));
        }
        List<float[]> queries = vectors.subList(0, 30);
        List<int[]> lucene = exactHits(dir.resolve("lucene"), new Lucene99HnswVectorsFormat(16, 100), vectors, queries);
        List<int[]> ours = exactHits(dir.resolve("trellis"), new TrellisHnswVectorsFormat(16, 100, 1, null), vectors, queries);
        int same = 0;
        for (int q = 0; q < queries.size(); q++) {
            for (int doc : ours.get(q)) {
                for (int other : lucene.get(q)) {
                    same += doc == other ? 1 : 0;
                }
            }
        }
        // same files, same graph algorithm, scores equal to rounding: the top 10 of 100 candidates agree
        assertThat(same).isGreaterThanOrEqualTo(queries.size() * 10 * 98 / 100);
    }

    private static List<int[]> exactHits(Path path, KnnVectorsFormat format, List<float[]> vectors, List<float[]> queries)
            throws Exception {
        try (var directory = FSDirectory.open(path);
             IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig().setCodec(new VectorCodec(format)))) {
            for (float[] v : vectors) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
            writer.commit();
            try (DirectoryReader reader = DirectoryReader.open(writer)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                List<int[]> hits = new ArrayList<>();
                for (float[] q : queries) {
                    ScoreDoc[] top = searcher.search(new KnnFloatVectorQuery("v", q, 100), 10).scoreDocs;
                    int[] docs = new int[top.length];
                    for (int i = 0; i < top.length; i++) {
                        docs[i] = top[i].doc;
                    }
                    hits.add(docs);
                }
                return hits;
            }
        }
    }

    private static List<String> ids(LuceneEmbeddingStore store, Embedding probe) {
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(probe).maxResults(5).build()).matches().stream()
                .map(EmbeddingMatch<TextSegment>::embeddingId).toList();
    }

    private static float[] randomVector(Random random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
