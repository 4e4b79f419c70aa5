package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.trellis.retrieval.SampleCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batched path against langchain4j's own model, on real catalogue rows. */
class BatchedEmbeddingModelTest {

    private static BatchedEmbeddingModel batched;
    private static List<TextSegment> sample;

    @BeforeAll
    static void setUp() {
        batched = BatchedEmbeddingModel.builder().batchSize(8).threads(2).build();
        List<TextSegment> segments;
        try (EmbeddingSegmenter segmenter = EmbeddingSegmenter.create()) {
            segments = segmenter.splitAll(SampleCatalog.documents().subList(0, 200));
        }
        sample = new ArrayList<>(segments);
        Collections.shuffle(sample, new Random(11));
        sample = new ArrayList<>(sample.subList(0, 40));
        // odd lengths and characters, so batches mix very short and full-length texts
        sample.add(TextSegment.from("hat"));
        sample.add(TextSegment.from("Fjällräven-style Ümlaut parka — 100% wool, ½ price!"));
        sample.add(TextSegment.from("UPF 50+ and 4 pockets?"));
    }

    @AfterAll
    static void tearDown() {
        batched.close();
    }

    @Test
    void vectorsMatchLangchain4jInInputOrder() {
        List<Embedding> ours = batched.embedAll(sample).content();
        List<Embedding> theirs = new AllMiniLmL6V2EmbeddingModel().embedAll(sample).content();
        assertThat(ours).hasSize(sample.size());
        for (int i = 0; i < sample.size(); i++) {
            double cosine = CosineSimilarity.between(ours.get(i), theirs.get(i));
            assertThat(cosine).as("cosine of segment %d: %s", i, sample.get(i).text()).isGreaterThanOrEqualTo(0.9999);
            assertThat(ours.get(i).dimension()).isEqualTo(384);
        }
    }

    @Test
    void aTextGetsTheSameVectorAloneOrInAnyBatch() {
        float[] alone = batched.embed(sample.get(3).text()).content().vector();
        List<Embedding> all = batched.embedAll(sample).content();
        assertThat(CosineSimilarity.between(Embedding.from(alone), all.get(3))).isGreaterThan(0.99999);
        assertThat(batched.embedAll(List.of()).content()).isEmpty();
    }

    @Test
    void quantizedModelRunsThroughTheSamePathAndStaysClose() {
        try (BatchedEmbeddingModel quantized = BatchedEmbeddingModel.builder()
                .model(MiniLmModel.ALL_MINILM_L6_V2_Q).threads(2).build()) {
            List<Embedding> q = quantized.embedAll(sample.subList(0, 10)).content();
            List<Embedding> f = batched.embedAll(sample.subList(0, 10)).content();
            for (int i = 0; i < 10; i++) {
                assertThat(CosineSimilarity.between(q.get(i), f.get(i))).isGreaterThan(0.9).isLessThan(0.99999);
            }
            assertThat(quantized.modelName()).isEqualTo("all-minilm-l6-v2-q");
        }
    }

    @Test
    void tooLongTextsAreReportedOrRefusedNeverCutSilently() {
        String longText = "waterproof breathable jacket ".repeat(100);
        try (BatchedEmbeddingModel strict = BatchedEmbeddingModel.builder().failOnTruncation(true).threads(1).build()) {
            assertThatThrownBy(() -> strict.embedAll(List.of(TextSegment.from("ok"), TextSegment.from(longText))))
                    .isInstanceOf(TextTooLongException.class)
                    .hasMessageContaining("text #1").hasMessageContaining("502 tokens")
                    .hasMessageContaining("EmbeddingSegmenter")
                    .satisfies(e -> assertThat(((TextTooLongException) e).tokens()).isEqualTo(502));
        }
        // the default logs the cut and, like langchain4j, embeds the first 128 tokens
        Response<Embedding> cut = batched.embed(longText);
        Embedding reference = new AllMiniLmL6V2EmbeddingModel().embed(longText).content();
        assertThat(CosineSimilarity.between(cut.content(), reference)).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> BatchedEmbeddingModel.builder().batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> BatchedEmbeddingModel.builder().threads(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    }
}
