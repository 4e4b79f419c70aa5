package dev.trellis.retrieval.qa;

import dev.trellis.framework.models.ScriptedChatModel;
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
}
