package dev.trellis.retrieval.qa;

import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.loaders.CsvLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The index's directory life on a small CSV: cache keys, completion marker, half-built and foreign directories. */
class VectorstoreIndexCacheTest {

    private static BatchedEmbeddingModel model;

    @TempDir
    Path temp;

    @BeforeAll
    static void loadModel() {
        model = BatchedEmbeddingModel.builder().threads(1).build();
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private Path csv(String name, String... rows) throws Exception {
        Path file = temp.resolve(name);
        Files.writeString(file, "name,description\n" + String.join("\n", rows) + "\n");
        return file;
    }

    private VectorstoreIndex build(Path csv, Path dir, CountingEmbeddingModel counting) {
        return VectorstoreIndex.builder().csv(csv).indexDirectory(dir).embeddingModel(counting).build();
    }

    @Test
    void theProgressListenerHearsEachBatchOfABuildAndNothingOfAReuse() throws Exception {
        Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants", "Fjord Shorts,light trail shorts", "Delta Hat,a sun hat");
        Path dir = temp.resolve("index");
        java.util.List<int[]> calls = new java.util.ArrayList<>();
        VectorstoreIndex.builder().csv(csv).indexDirectory(dir).embeddingModel(model).batchSize(2)
                .progressListener((done, total) -> calls.add(new int[] {done, total})).build().close();
        assertThat(calls).extracting(c -> c[0] + "/" + c[1]).containsExactly("2/3", "3/3");

        calls.clear();
        try (VectorstoreIndex reused = VectorstoreIndex.builder().csv(csv).indexDirectory(dir).embeddingModel(model)
                .progressListener((done, total) -> calls.add(new int[] {done, total})).build()) {
            assertThat(reused.reusedExisting()).isTrue();
        }
        assertThat(calls).isEmpty();
    }

    @Test
    void aHalfBuiltDirectoryWithoutTheMarkerIsRebuilt() throws Exception {
        Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants", "Fjord Shorts,light trail shorts", "Delta Hat,a sun hat");
        Path dir = temp.resolve("index");
        CountingEmbeddingModel first = new CountingEmbeddingModel(model);
        build(csv, dir, first).close();
        assertThat(first.segments.get()).isEqualTo(3);

        // a crash after the Lucene commit but before the marker: the directory is complete-looking but unfinished
        Files.delete(dir.resolve(IndexDirectory.MARKER));
        CountingEmbeddingModel second = new CountingEmbeddingModel(model);
        try (VectorstoreIndex rebuilt = build(csv, dir, second)) {
            assertThat(rebuilt.reusedExisting()).isFalse();
            assertThat(second.segments.get()).isEqualTo(3);
            assertThat(rebuilt.vectorStore().size()).as("cleared, not appended to").isEqualTo(3);
        }

        // a marker cut short by a crash is no marker either
        Files.writeString(dir.resolve(IndexDirectory.MARKER), "{\"format\": 1, \"key\": \"");
        CountingEmbeddingModel third = new CountingEmbeddingModel(model);
        build(csv, dir, third).close();
        assertThat(third.segments.get()).isEqualTo(3);

        CountingEmbeddingModel fourth = new CountingEmbeddingModel(model);
        try (VectorstoreIndex reused = build(csv, dir, fourth)) {
            assertThat(reused.reusedExisting()).isTrue();
            assertThat(fourth.calls.get()).isZero();
            ScriptedChatModel llm = ScriptedChatModel.replying("The Delta Hat.");
            assertThat(reused.queryWithSources("Which hat protects from the sun?", llm).sourceDocuments())
                    .hasSize(3).first().satisfies(d -> assertThat(d.text()).contains("Delta Hat"));
        }
    }

    @Test
    void changedContentGetsANewCacheDirectoryAndAChangedFileInAChosenDirectoryIsRebuilt() throws Exception {
        System.setProperty("trellis.home", temp.resolve("home").toString());
        try {
            Path a = csv("a.csv", "Tarn Pants,warm fleece pants");
            Path b = csv("b.csv", "Tarn Pants,warm fleece pants", "Fjord Shorts,light trail shorts");
            Path dirA;
            try (VectorstoreIndex indexA = VectorstoreIndex.builder().csv(a).embeddingModel(new CountingEmbeddingModel(model)).build()) {
                dirA = indexA.directory();
            }
            try (VectorstoreIndex indexB = VectorstoreIndex.builder().csv(b).embeddingModel(new CountingEmbeddingModel(model)).build()) {
                assertThat(indexB.directory()).isNotEqualTo(dirA).hasParent(dirA.getParent());
                assertThat(indexB.directory().getFileName().toString()).matches("[0-9a-f]{64}-[0-9a-f]{12}");
            }
        } finally {
            System.clearProperty("trellis.home");
        }

        Path file = csv("c.csv", "Tarn Pants,warm fleece pants");
        Path dir = temp.resolve("chosen");
        build(file, dir, new CountingEmbeddingModel(model)).close();
        Files.writeString(file, "name,description\nDelta Hat,a sun hat\nFjord Shorts,light trail shorts\n");
        CountingEmbeddingModel counting = new CountingEmbeddingModel(model);
        try (VectorstoreIndex rebuilt = build(file, dir, counting)) {
            assertThat(rebuilt.reusedExisting()).isFalse();
            assertThat(rebuilt.vectorStore().size()).isEqualTo(2);
            assertThat(counting.segments.get()).isEqualTo(2);
        }
    }

    @Test
    void aDirectoryHoldingOtherFilesIsRefusedAndLeftAlone() throws Exception {
        Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants");
        Path dir = Files.createDirectories(temp.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not an index");
        assertThatThrownBy(() -> build(csv, dir, new CountingEmbeddingModel(model)))
                .isInstanceOf(IndexBuildException.class)
                .hasMessageContaining("holiday.jpg").hasMessageContaining("not part of a Trellis index");
        assertThat(dir.resolve("holiday.jpg")).exists();
    }

    @Test
    void fromLoadersIndexesWhatTheLoadersLoad() throws Exception {
        Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants", "Delta Hat,a sun hat");
        try (VectorstoreIndex index = VectorstoreIndex.builder()
                .loaders(java.util.List.of(CsvLoader.builder().path(csv).contentColumns("description").build()))
                .indexDirectory(temp.resolve("loaders")).embeddingModel(new CountingEmbeddingModel(model)).k(1).build()) {
            ScriptedChatModel llm = ScriptedChatModel.replying("A hat.");
            assertThat(index.query("Something for the sun?", llm)).isEqualTo("A hat.");
            assertThat(llm.lastPrompt()).contains("description: a sun hat").doesNotContain("Tarn");
        }
        assertThatThrownBy(() -> VectorstoreIndex.builder().build()).hasMessageContaining("csv(path) or loaders(...)");
    }

    @Test
    void aFailedIngestionLeavesNoDirectoryBehind() throws Exception {
        Path home = temp.resolve("home");
        System.setProperty("trellis.home", home.toString());
        try {
            Path malformed = temp.resolve("bad.csv");
            Files.writeString(malformed, "name,description\nTarn Pants,\"warm fleece pants\n");
            assertThatThrownBy(() -> VectorstoreIndex.builder().csv(malformed).embeddingModel(model).build())
                    .isInstanceOf(dev.trellis.retrieval.loaders.MalformedRecordException.class);
            Path cache = home.resolve("cache").resolve("indexes");
            assertThat(!Files.exists(cache) || isEmpty(cache)).as("nothing left under " + cache).isTrue();

            // the embedding model fails halfway: the directory this build created goes too
            Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants", "Fjord Shorts,light trail shorts", "Delta Hat,a sun hat");
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            dev.langchain4j.model.embedding.EmbeddingModel failing = new dev.langchain4j.model.embedding.EmbeddingModel() {
                @Override
                public dev.langchain4j.model.output.Response<java.util.List<dev.langchain4j.data.embedding.Embedding>> embedAll(
                        java.util.List<dev.langchain4j.data.segment.TextSegment> segments) {
                    if (calls.incrementAndGet() > 1) {
                        throw new IllegalStateException("embedding service went away");
                    }
                    return model.embedAll(segments);
                }

                @Override
                public int dimension() {
                    return model.dimension();
                }
            };
            assertThatThrownBy(() -> VectorstoreIndex.builder().csv(csv).embeddingModel(failing).batchSize(1).build())
                    .hasMessageContaining("went away");
            assertThat(!Files.exists(cache) || isEmpty(cache)).as("nothing left under " + cache).isTrue();
        } finally {
            System.clearProperty("trellis.home");
        }
    }

    @Test
    void aDocumentOverTheSizeLimitIsRefusedBeforeAnythingIsSplitOrEmbedded() throws Exception {
        Path csv = csv("gear.csv", "Tarn Pants,warm fleece pants", "Huge," + "fleece ".repeat(800));
        Path dir = temp.resolve("index");
        CountingEmbeddingModel counting = new CountingEmbeddingModel(model);
        assertThatThrownBy(() -> VectorstoreIndex.builder().csv(csv).indexDirectory(dir).embeddingModel(counting)
                .maxDocumentChars(1000).build())
                .isInstanceOfSatisfying(DocumentTooLargeException.class, e -> {
                    assertThat(e.document()).isEqualTo(csv + " row 1");
                    assertThat(e.length()).isGreaterThan(5000);
                    assertThat(e.limit()).isEqualTo(1000);
                })
                .hasMessageContaining("maxDocumentChars");
        assertThat(counting.calls.get()).isZero();
        assertThat(dir).doesNotExist();

        java.util.List<String> split = new java.util.ArrayList<>();
        try (VectorstoreIndex index = VectorstoreIndex.builder().csv(csv).indexDirectory(dir).embeddingModel(counting)
                .maxDocumentChars(10_000).progressListener(new IndexingProgressListener() {
                    @Override
                    public void onSegmentsIndexed(int done, int total) {
                    }

                    @Override
                    public void onDocumentsSplit(int done, int total) {
                        split.add(done + "/" + total);
                    }
                }).build()) {
            assertThat(index.segmentCount()).isGreaterThan(2);
        }
        assertThat(split).containsExactly("1/2", "2/2");
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
