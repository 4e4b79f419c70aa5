package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The langchain4j store contract on a real Lucene index, with langchain4j's in-memory store as the oracle. */
class LuceneEmbeddingStoreTest {

    private static final int DIM = 16;
    private static final int COUNT = 200;
    private static final UUID SPECIAL = UUID.fromString("2f1e6c1a-8d4b-4f7e-9a51-3c2b1d0e9f88");

    @TempDir
    Path dir;

    private LuceneEmbeddingStore store;
    private InMemoryEmbeddingStore<TextSegment> oracle;
    private List<Embedding> vectors;
    private List<String> ids;

    @BeforeEach
    void fill() {
        store = LuceneEmbeddingStore.builder().directory(dir).dimension(DIM).build();
        oracle = new InMemoryEmbeddingStore<>();
        vectors = TestVectors.clustered(COUNT, DIM, 5, 42);
        ids = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        String[] colors = {"red", "green", "blue"};
        for (int i = 0; i < COUNT; i++) {
            ids.add("id-" + i);
            Metadata m = new Metadata()
                    .put("name", "doc-" + (char) ('a' + i % 26) + i)
                    .put("count", i % 10)
                    .put("price", i * 0.5)
                    .put("weight", (i % 4) * 0.1f)
                    .put("big", i * 1_000_000_000L);
            if (i % 7 != 0) {
                m.put("color", colors[i % 3]);
            }
            if (i % 50 == 0) {
                m.put("uuid", i == 0 ? SPECIAL : UUID.nameUUIDFromBytes(("u" + i).getBytes()));
            }
            segments.add(TextSegment.from("text of document " + i, m));
        }
        store.addAll(ids, vectors, segments);
        oracle.addAll(ids, vectors, segments);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of(metadataKey("color").isEqualTo("red")),
                Arguments.of(metadataKey("count").isEqualTo(3L)),
                Arguments.of(metadataKey("count").isEqualTo(3.0)),
                Arguments.of(metadataKey("price").isEqualTo(12.5)),
                Arguments.of(metadataKey("price").isEqualTo(12)),
                Arguments.of(metadataKey("weight").isEqualTo(0.1f)),
                Arguments.of(metadataKey("weight").isEqualTo(0.1)),
                Arguments.of(metadataKey("big").isEqualTo(7_000_000_000L)),
                Arguments.of(metadataKey("uuid").isEqualTo(SPECIAL)),
                Arguments.of(metadataKey("color").isNotEqualTo("red")),
                Arguments.of(metadataKey("count").isNotEqualTo(3)),
                Arguments.of(metadataKey("count").isGreaterThan(4.5)),
                Arguments.of(metadataKey("count").isGreaterThanOrEqualTo(7)),
                Arguments.of(metadataKey("count").isLessThan(2)),
                Arguments.of(metadataKey("count").isLessThanOrEqualTo(2.5)),
                Arguments.of(metadataKey("price").isGreaterThan(80)),
                Arguments.of(metadataKey("price").isLessThanOrEqualTo(10.5)),
                Arguments.of(metadataKey("weight").isGreaterThanOrEqualTo(0.2f)),
                Arguments.of(metadataKey("big").isGreaterThan(150_000_000_000L)),
                Arguments.of(metadataKey("name").isGreaterThan("doc-m")),
                Arguments.of(metadataKey("name").isLessThanOrEqualTo("doc-c28")),
                Arguments.of(metadataKey("color").isIn("red", "blue")),
                Arguments.of(metadataKey("count").isIn(1, 2L, 3.0)),
                Arguments.of(metadataKey("color").isNotIn("red", "blue")),
                Arguments.of(metadataKey("count").isNotIn(0, 9)),
                Arguments.of(metadataKey("name").containsString("c2")),
                Arguments.of(metadataKey("color").isEqualTo("green").and(metadataKey("count").isGreaterThan(3))),
                Arguments.of(metadataKey("color").isEqualTo("green").or(metadataKey("price").isLessThan(5))),
                Arguments.of(Filter.not(metadataKey("color").isEqualTo("blue"))),
                Arguments.of(Filter.not(metadataKey("count").isIn(1, 2).or(metadataKey("color").isEqualTo("red")))),
                Arguments.of(metadataKey("missing").isEqualTo("x")),
                Arguments.of(metadataKey("missing").isNotEqualTo("x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void filtersMatchExactlyWhatLangchain4jsInMemoryStoreMatches(Filter filter) {
        Embedding query = vectors.get(17);
        EmbeddingSearchRequest request = EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(COUNT).filter(filter).build();

        List<String> expected = oracle.search(request).matches().stream().map(EmbeddingMatch::embeddingId).toList();
        List<String> actual = store.search(request).matches().stream().map(EmbeddingMatch::embeddingId).toList();

        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        if (filter.toString().contains("missing") && !filter.toString().contains("NotEqual")) {
            assertThat(actual).isEmpty();
        } else {
            assertThat(actual).isNotEmpty();
        }
    }

    @Test
    void searchRanksLikeExactCosineWithLangchain4jScores() {
        Embedding query = vectors.get(3);
        List<EmbeddingMatch<TextSegment>> expected = oracle.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(10).build()).matches();
        List<EmbeddingMatch<TextSegment>> actual = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(10).build()).matches();

        assertThat(actual).extracting(EmbeddingMatch::embeddingId)
                .containsExactlyElementsOf(expected.stream().map(EmbeddingMatch::embeddingId).toList());
        assertThat(actual.get(0).embeddingId()).isEqualTo("id-3");
        assertThat(actual.get(0).score()).isCloseTo(1.0, within(1e-6));
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-6));
        }
        assertThat(actual.get(0).embedding().vector()).containsExactly(vectors.get(3).vector());
        assertThat(actual.get(0).embedded().text()).isEqualTo("text of document 3");
    }

    @Test
    void minScoreAndMaxResultsAreHonoured() {
        Embedding query = vectors.get(5);
        List<EmbeddingMatch<TextSegment>> all = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(COUNT).build()).matches();
        double threshold = all.get(30).score();

        List<EmbeddingMatch<TextSegment>> above = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(COUNT).minScore(threshold).build()).matches();
        assertThat(above).allSatisfy(m -> assertThat(m.score()).isGreaterThanOrEqualTo(threshold));
        assertThat(above).hasSizeBetween(31, 40);

        assertThat(store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(3).build()).matches())
                .hasSize(3);
        float[] between = vectors.get(5).vector().clone();
        for (int i = 0; i < between.length; i++) {
            between[i] += vectors.get(6).vector()[i];
        }
        assertThat(store.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(between)).maxResults(5)
                .minScore(1.0).build()).matches()).isEmpty();
    }

    @Test
    void metadataComesBackWithTheSameTypes() {
        Metadata metadata = new Metadata()
                .put("s", "text").put("i", 7).put("l", 1L << 40).put("f", 1.5f).put("d", 2.25).put("u", SPECIAL);
        Embedding embedding = Embedding.from(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        String id = store.add(embedding, TextSegment.from("typed", metadata));

        EmbeddingMatch<TextSegment> match = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embedding).maxResults(1).filter(metadataKey("s").isEqualTo("text")).build()).matches().get(0);

        assertThat(match.embeddingId()).isEqualTo(id);
        Map<String, Object> back = match.embedded().metadata().toMap();
        assertThat(back).isEqualTo(metadata.toMap());
        assertThat(back.get("i")).isInstanceOf(Integer.class);
        assertThat(back.get("l")).isInstanceOf(Long.class);
        assertThat(back.get("f")).isInstanceOf(Float.class);
        assertThat(back.get("d")).isInstanceOf(Double.class);
        assertThat(back.get("u")).isInstanceOf(UUID.class);
    }

    @Test
    void addVariantsGenerateIdsUpsertAndStoreEmbeddingsWithoutText() {
        Embedding e = vectors.get(0);
        String generated = store.add(e);
        assertThat(UUID.fromString(generated)).isNotNull();
        store.add("explicit", e);
        List<String> many = store.addAll(List.of(vectors.get(1), vectors.get(2)));
        assertThat(many).hasSize(2).doesNotHaveDuplicates();
        assertThat(store.size()).isEqualTo(COUNT + 4);

        // same id again replaces instead of duplicating
        store.add("explicit", vectors.get(9));
        assertThat(store.size()).isEqualTo(COUNT + 4);

        EmbeddingMatch<TextSegment> top = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(e).maxResults(5).build()).matches().stream()
                .filter(m -> m.embeddingId().equals(generated)).findFirst().orElseThrow();
        assertThat(top.embedded()).isNull();
        assertThat(top.embedding().vector()).containsExactly(e.vector());
    }

    @Test
    void removeByIdIdsFilterAndEverything() {
        store.remove("id-3");
        store.removeAll(List.of("id-4", "id-5"));
        assertThat(store.size()).isEqualTo(COUNT - 3);
        assertThat(idsNear(vectors.get(3))).doesNotContain("id-3", "id-4", "id-5");

        store.removeAll(metadataKey("color").isEqualTo("red"));
        List<String> left = idsNear(vectors.get(0));
        oracle.removeAll(List.of("id-3", "id-4", "id-5"));
        oracle.removeAll(metadataKey("color").isEqualTo("red"));
        assertThat(store.size()).isEqualTo(oracle.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(vectors.get(0)).maxResults(COUNT).build()).matches().size());
        assertThat(left).allSatisfy(id -> assertThat(Integer.parseInt(id.substring(3)) % 3 == 0
                && Integer.parseInt(id.substring(3)) % 7 != 0).isFalse());

        store.removeAll();
        assertThat(store.size()).isZero();
        assertThat(idsNear(vectors.get(0))).isEmpty();
    }

    @Test
    void reopeningGivesTheSameResults() {
        EmbeddingSearchRequest request = EmbeddingSearchRequest.builder()
                .queryEmbedding(vectors.get(11)).maxResults(10).filter(metadataKey("count").isGreaterThan(2)).build();
        List<EmbeddingMatch<TextSegment>> before = store.search(request).matches();
        store.close();

        store = LuceneEmbeddingStore.builder().directory(dir).build(); // dimension read back from the index
        assertThat(store.dimension()).isEqualTo(DIM);
        assertThat(store.search(request).matches()).isEqualTo(before);
    }

    @Test
    void secondWriterOnTheSameDirectoryGetsAClearError() {
        assertThatThrownBy(() -> LuceneEmbeddingStore.builder().directory(dir).dimension(DIM).build())
                .isInstanceOf(StoreLockedException.class)
                .hasMessageContaining(dir.toAbsolutePath().normalize().toString())
                .hasMessageContaining("already open");
    }

    @Test
    void badInputIsRejectedWithMessagesThatSayWhatToDo() {
        assertThatThrownBy(() -> store.add(Embedding.from(new float[3])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 3").hasMessageContaining("16");
        assertThatThrownBy(() -> store.add(Embedding.from(new float[DIM])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all zeros");
        assertThatThrownBy(() -> store.addAll(List.of("a", "a"), List.of(vectors.get(0), vectors.get(1)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' appears twice");
        assertThatThrownBy(() -> store.search(EmbeddingSearchRequest.builder().queryEmbedding(vectors.get(0))
                .filter(new dev.langchain4j.store.embedding.filter.comparison.IsEqualTo("count", Boolean.TRUE)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'count'");
        assertThatThrownBy(() -> LuceneEmbeddingStore.builder().directory(dir.resolve("other")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension(...)");
        store.close();
        assertThatThrownBy(() -> LuceneEmbeddingStore.builder().directory(dir).dimension(8).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 16-dimensional");
        assertThatThrownBy(() -> store.search(EmbeddingSearchRequest.builder().queryEmbedding(vectors.get(0)).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private List<String> idsNear(Embedding query) {
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(COUNT).build())
                .matches().stream().map(EmbeddingMatch::embeddingId).collect(Collectors.toList());
    }

    @Test
    void scoresFollowLangchain4jsRelevanceConvention() {
        Embedding query = Embedding.from(negate(vectors.get(8).vector()));
        EmbeddingMatch<TextSegment> worst = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(vectors.get(8)).maxResults(COUNT).build()).matches().get(0);
        assertThat(worst.score()).isCloseTo(RelevanceScore.fromCosineSimilarity(1.0), within(1e-6));
        EmbeddingMatch<TextSegment> opposite = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(query).maxResults(COUNT).build()).matches().stream()
                .filter(m -> m.embeddingId().equals("id-8")).findFirst().orElseThrow();
        assertThat(opposite.score()).isCloseTo(0.0, within(1e-6));
    }

    private static float[] negate(float[] v) {
        float[] n = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            n[i] = -v[i];
        }
        return n;
    }
}
