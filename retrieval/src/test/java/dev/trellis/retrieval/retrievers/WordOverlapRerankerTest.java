package dev.trellis.retrieval.retrievers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.query.Query;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordOverlapRerankerTest {

    private static final String PARKA = "id: TR-0469\nname: Northwind Scree Parka in Navy\ncollection: Northwind\nprice: 145.95";
    private static final String PANTS = "id: TR-0761\nname: Glacier Bay Ember Rain Pants in Glacier Blue\ncollection: Glacier Bay\nprice: 189.50";
    private static final String HAT = "id: TR-0239\nname: Coyote Mesa Traverse Sun Hat in Crimson\ncollection: Coyote Mesa\nprice: 49.00";

    @Test
    void keepsTheRowThatNamesWhatTheQuestionNamesWhereverTheRetrieverRankedIt() {
        WordOverlapReranker reranker = WordOverlapReranker.builder()
                .retriever(query -> List.of(content(PARKA), content(PANTS), content(HAT))).build();

        List<Content> kept = reranker.retrieve(Query.from("How much do the Glacier Bay Ember Rain Pants in Glacier Blue cost?"));

        assertThat(kept).extracting(c -> c.textSegment().text()).containsExactly(PANTS);
    }

    @Test
    void ranksByDistinctSharedWordsAndTiesKeepTheRetrieversOrder() {
        List<String> rows = List.of(PARKA, HAT, PANTS);

        assertThat(WordOverlapReranker.best("Which sun hat is crimson?", rows, 2, r -> r)).containsExactly(HAT, PARKA);
        assertThat(WordOverlapReranker.best("Tell me about tents", rows, 3, r -> r)).containsExactly(PARKA, HAT, PANTS);
        assertThat(WordOverlapReranker.overlap("glacier GLACIER blue pants?", PANTS)).isEqualTo(3);
        assertThat(WordOverlapReranker.overlap("UPF 50+ shirts", "upf: 50+")).isEqualTo(2);
    }

    @Test
    void keepsAtMostWhatTheRetrieverFoundAndRefusesToKeepNothing() {
        WordOverlapReranker reranker = WordOverlapReranker.builder().retriever(query -> List.of(content(HAT))).maxResults(3).build();
        assertThat(reranker.retrieve(Query.from("hat"))).hasSize(1);
        assertThat(WordOverlapReranker.builder().retriever(query -> List.of()).build().retrieve(Query.from("hat"))).isEmpty();
        assertThatThrownBy(() -> WordOverlapReranker.builder().maxResults(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxResults must be at least 1");
        assertThatThrownBy(() -> WordOverlapReranker.builder().build()).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("retriever(ContentRetriever)");
    }

    @Test
    void requiringNamedWordsDropsLookAlikesOfAProductTheResultsDoNotHold() {
        WordOverlapReranker reranker = WordOverlapReranker.builder()
                .retriever(query -> List.of(content(PARKA), content(PANTS), content(HAT))).requireNamedWords(true).build();

        // a sun hat in crimson exists, but not the Coyote Mesa Switchback one: no row, rather than the look-alike
        assertThat(reranker.retrieve(Query.from("What does the Coyote Mesa Switchback Sun Hat in Crimson cost?"))).isEmpty();
        assertThat(reranker.retrieve(Query.from("What does the Coyote Mesa Traverse Sun Hat in Crimson cost?")))
                .extracting(c -> c.textSegment().text()).containsExactly(HAT);
        // a question that names nothing keeps the best row; a capital after a full stop opens a sentence
        assertThat(reranker.retrieve(Query.from("Which hat keeps the sun off?"))).hasSize(1);
        assertThat(reranker.retrieve(Query.from("I want a parka of the Northwind collection. What does it cost?")))
                .extracting(c -> c.textSegment().text()).containsExactly(PARKA);
        assertThat(WordOverlapReranker.namedWords("What UPF rating does the Glacier Bay Ember Rain Pants in Glacier Blue have?"))
                .containsExactly("upf", "glacier", "bay", "ember", "rain", "pants", "blue");
        assertThat(WordOverlapReranker.naming("Is the Northwind Scree Parka in Navy waterproof?", List.of(HAT, PARKA), r -> r))
                .containsExactly(PARKA);
    }

    private static Content content(String text) {
        return Content.from(TextSegment.from(text));
    }
}
