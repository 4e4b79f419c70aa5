package dev.trellis.retrieval.qa;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.trellis.testing.ScriptedStreamingChatModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RetrievalQA streams the model call that writes its answer, and only that one. */
class RetrievalQAStreamingTest {

    private static final ContentRetriever RETRIEVER = query -> List.of(
            Content.from(TextSegment.from("The Ridge Shirt has UPF 50+ sun protection.")),
            Content.from(TextSegment.from("The Canyon Jacket is waterproof.")));

    private static List<String> stream(RetrievalQA qa, String question) {
        List<String> tokens = new ArrayList<>();
        Map<String, Object> result = qa.stream(Map.of("query", question), tokens::add);
        assertThat(String.join("", tokens)).isEqualTo(result.get("result"));
        return tokens;
    }

    @Test
    void stuffStreamsTheAnswerTokenByToken() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("The Ridge Shirt protects from the sun.");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).returnSourceDocuments(true).build();
        assertThat(stream(qa, "Which shirt has sun protection?"))
                .containsExactlyElementsOf(ScriptedStreamingChatModel.tokens("The Ridge Shirt protects from the sun."));
        assertThat(llm.streamedCalls()).isEqualTo(1);
    }

    @Test
    void mapReduceStreamsOnlyTheCombiningCall() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("UPF 50+ shirt", "NO RELEVANT TEXT",
                "The Ridge Shirt has UPF 50+.");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_REDUCE).build();
        assertThat(String.join("", stream(qa, "Which shirt has sun protection?"))).isEqualTo("The Ridge Shirt has UPF 50+.");
        assertThat(llm.requests()).hasSize(3);
        assertThat(llm.streamedCalls()).isEqualTo(1);
    }

    @Test
    void refineStreamsOnlyTheLastRefinement() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("The Ridge Shirt.", "The Ridge Shirt, UPF 50+.");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.REFINE).build();
        assertThat(String.join("", stream(qa, "Which shirt?"))).isEqualTo("The Ridge Shirt, UPF 50+.");
        assertThat(llm.streamedCalls()).isEqualTo(1);
    }

    @Test
    void mapRerankPassesTheChosenAnswerOnWhole() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("Answer: the shirt\nScore: 90",
                "Answer: the jacket\nScore: 10");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_RERANK).build();
        assertThat(stream(qa, "Which shirt?")).containsExactly("the shirt");
        assertThat(llm.streamedCalls()).isZero();
    }
}
