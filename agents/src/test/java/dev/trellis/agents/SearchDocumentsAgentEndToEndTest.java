package dev.trellis.agents;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.trellis.agents.tools.Tools;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;
import dev.trellis.retrieval.retrievers.HybridContentRetriever;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** An agent answering offline from the user's documents: real MiniLM embeddings, a Lucene index on disk, hybrid retrieval. */
class SearchDocumentsAgentEndToEndTest {

    @Test
    void agentFindsTheAnswerInTheUsersOwnDocuments(@TempDir Path indexDir) throws Exception {
        List<TextSegment> products = List.of(
                TextSegment.from("Stormline shell: a waterproof, breathable hiking jacket with taped seams. Price 189 EUR.",
                        Metadata.from("source", "catalog.csv#12")),
                TextSegment.from("Cloudnest pillow: memory foam pillow for side sleepers. Price 45 EUR.",
                        Metadata.from("source", "catalog.csv#3")),
                TextSegment.from("Brewmate kettle: 1.7 litre electric kettle with temperature control. Price 59 EUR.",
                        Metadata.from("source", "catalog.csv#7")),
                TextSegment.from("Trailblazer boots: leather hiking boots with a Vibram sole. Price 149 EUR.",
                        Metadata.from("source", "catalog.csv#13")));
        EmbeddingModel embeddings = new AllMiniLmL6V2QuantizedEmbeddingModel();
        try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(indexDir).dimension(384).build()) {
            store.addAll(embeddings.embedAll(products).content(), products);
            store.commit();
            HybridContentRetriever retriever = HybridContentRetriever.builder()
                    .embeddingModel(embeddings).embeddingStore(store).maxResults(2).build();

            ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
                String observation = AgentExecutorTest.lastObservation(AgentExecutorTest.lastUserText(messages));
                if (observation == null) {
                    return AgentExecutorTest.jsonAction("search_documents", "waterproof jacket for hiking");
                }
                Matcher first = Pattern.compile("\\[1] (\\w+ \\w+): .*?Price (\\d+ EUR)\\.\\n\\(source: ([^)]+)\\)").matcher(observation);
                return first.find()
                        ? "Thought: found it\nFinal Answer: the " + first.group(1) + " for " + first.group(2) + " (" + first.group(3) + ")"
                        : "Thought: nothing\nFinal Answer: not in the documents";
            });
            AgentExecutor agent = AgentExecutor.builder()
                    .llm(llm)
                    .tools(Tools.loader().llm(llm).retriever(retriever).load(List.of("search-documents", "llm-math")))
                    .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                    .handleParsingErrors(true)
                    .build();

            assertThat(agent.run("Do you sell a waterproof jacket for hiking, and what does it cost?"))
                    .isEqualTo("the Stormline shell for 189 EUR (catalog.csv#12)");
        }
    }
}
