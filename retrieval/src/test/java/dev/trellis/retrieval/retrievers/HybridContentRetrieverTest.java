package dev.trellis.retrieval.retrievers;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hybrid retrieval end to end: real MiniLM embeddings, a real Lucene index on disk. */
class HybridContentRetrieverTest {

    private static final String[] TEXTS = {
            "Lightweight rain jacket with taped seams and a packable hood.",
            "Insulated winter parka filled with recycled down, rated to minus twenty.",
            "Breathable hiking shirt with UPF 50 sun protection and two chest pockets.",
            "Trail running shorts with a zippered back pocket and quick-dry fabric.",
            "Waterproof hiking boots with a grippy rubber outsole.",
            "Fleece pullover for cool evenings, soft brushed interior.",
            "Replacement buckle kit, part number TRX-9041, fits most packs.",
            "Merino wool socks that stay warm when wet.",
            "Wide-brim sun hat with a chin strap and mesh vents.",
            "Softshell pants with stretch panels for climbing.",
    };

    @TempDir
    static Path dir;

    private static EmbeddingModel model;
    private static LuceneEmbeddingStore store;

    @BeforeAll
    static void index() {
        model = new AllMiniLmL6V2EmbeddingModel();
        store = LuceneEmbeddingStore.builder().directory(dir).dimension(384).build();
        List<TextSegment> segments = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) {
            segments.add(TextSegment.from(TEXTS[i], new Metadata().put("row", i).put("kind", i == 6 ? "part" : "clothing")));
        }
        List<Embedding> embeddings = model.embedAll(segments).content();
        store.addAll(embeddings, segments);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void anExactKeywordMatchRanksFirst() {
        HybridContentRetriever retriever = HybridContentRetriever.builder()
                .embeddingModel(model).embeddingStore(store).maxResults(3).build();

        List<Content> contents = retriever.retrieve(Query.from("TRX-9041"));

        assertThat(contents).hasSize(3);
        assertThat(contents.get(0).textSegment().text()).contains("TRX-9041");
        assertThat(contents.get(0).metadata()).containsKeys(ContentMetadata.SCORE, ContentMetadata.EMBEDDING_ID);
        assertThat((Double) contents.get(0).metadata().get(ContentMetadata.SCORE))
                .isGreaterThan((Double) contents.get(1).metadata().get(ContentMetadata.SCORE));
    }

    @Test
    void semanticMatchesStillComeThroughWithoutSharedWords() {
        HybridContentRetriever retriever = HybridContentRetriever.builder()
                .embeddingModel(model).embeddingStore(store).maxResults(2).build();

        List<Content> contents = retriever.retrieve(Query.from("something to keep my head shaded from the sun"));

        assertThat(contents).extracting(c -> c.textSegment().text()).anyMatch(t -> t.contains("sun hat"));
    }

    @Test
    void theFilterAppliesToBothSearches() {
        HybridContentRetriever retriever = HybridContentRetriever.builder()
                .embeddingModel(model).embeddingStore(store).maxResults(4)
                .filter(metadataKey("kind").isEqualTo("clothing")).build();

        List<Content> contents = retriever.retrieve(Query.from("TRX-9041 part number"));

        assertThat(contents).hasSize(4).noneMatch(c -> c.textSegment().text().contains("TRX-9041"));
        assertThat(contents).allMatch(c -> "clothing".equals(c.textSegment().metadata().getString("kind")));
    }

    @Test
    void keywordSearchAloneUsesBm25OverTheText() {
        assertThat(store.keywordSearch("pockets", 5, null))
                .extracting(m -> m.embedded().metadata().getInteger("row")).containsExactlyInAnyOrder(2, 3);
        assertThat(store.keywordSearch("the and of", 5, null)).isEmpty(); // only stop words
    }

    @Test
    void langchain4jsOwnVectorRetrieverWorksOnTheLuceneStore() {
        ContentRetriever vectorOnly = EmbeddingStoreContentRetriever.builder()
                .embeddingModel(model).embeddingStore(store).maxResults(1).minScore(0.3).build();

        assertThat(vectorOnly.retrieve(Query.from("a down-filled parka for freezing weather")))
                .singleElement().satisfies(c -> assertThat(c.textSegment().text()).contains("winter parka"));
    }

    @Test
    void missingPartsAreReportedByTheBuilder() {
        assertThatThrownBy(() -> HybridContentRetriever.builder().embeddingStore(store).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embeddingModel");
        assertThatThrownBy(() -> HybridContentRetriever.builder().embeddingModel(model).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embeddingStore");
    }
}
