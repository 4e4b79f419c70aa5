package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.trellis.retrieval.SampleCatalog;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over real parts: CSV loader, segmenter, batched MiniLM, cosine search. For 50 questions built from
 * random catalogue rows, the row that answers each must be among the top 4 products for at least 90%.
 */
class CatalogRetrievalQualityTest {

    @Test
    void sourceRowIsInTheTopFourForNinetyPercentOfGeneratedQuestions() throws Exception {
        List<TextSegment> segments;
        try (EmbeddingSegmenter segmenter = EmbeddingSegmenter.create()) {
            segments = segmenter.splitAll(SampleCatalog.documents());
        }
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<SampleCatalog.Question> questions = SampleCatalog.questions(2024, 50);
        int hits = 0;
        try (BatchedEmbeddingModel model = BatchedEmbeddingModel.builder().threads(2).build()) {
            store.addAll(model.embedAll(segments).content(), segments);
            for (SampleCatalog.Question question : questions) {
                Embedding query = model.embed(question.text()).content();
                // a long product can own several segments: collect the first 4 distinct rows
                List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(query).maxResults(12).build()).matches();
                Set<Integer> rows = new LinkedHashSet<>();
                for (EmbeddingMatch<TextSegment> match : matches) {
                    if (rows.size() < 4) {
                        rows.add(match.embedded().metadata().getInteger("row"));
                    }
                }
                if (rows.contains(question.row())) {
                    hits++;
                }
            }
        }
        System.out.println("top-4 hits: " + hits + "/50");
        assertThat(hits).as("questions whose source row is in the top 4, of 50").isGreaterThanOrEqualTo(45);
    }
}
