package dev.trellis.retrieval.qa;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.trellis.framework.eval.QAEvalChain;
import dev.trellis.framework.eval.QAEvaluation;
import dev.trellis.framework.eval.QAGenerateChain;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.ScriptedReply;
import dev.trellis.retrieval.SampleCatalog;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.EmbeddingSegmenter;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The course's "Q&A over documents" and "evaluation" sections on catalog.csv: real CSV loading, real
 * MiniLM embeddings, a real Lucene index on disk; only the chat model is scripted (or served over HTTP).
 */
class CatalogQATest {

    @TempDir
    static Path home;

    private static String previousHome;
    private static BatchedEmbeddingModel model;
    private static VectorstoreIndex index;
    private static int builtSegments;

    @BeforeAll
    static void buildTheIndexOnce() {
        previousHome = System.getProperty("trellis.home");
        System.setProperty("trellis.home", home.toString());
        model = BatchedEmbeddingModel.builder().threads(2).build();
        CountingEmbeddingModel counting = new CountingEmbeddingModel(model);
        index = VectorstoreIndex.builder().csv(SampleCatalog.PATH).embeddingModel(counting).build();
        builtSegments = counting.segments.get();
        assertThat(index.reusedExisting()).isFalse();
    }

    @AfterAll
    static void cleanUp() {
        index.close();
        model.close();
        if (previousHome == null) {
            System.clearProperty("trellis.home");
        } else {
            System.setProperty("trellis.home", previousHome);
        }
    }

    /** A model that answers "which collection" from the product block it finds in the prompt's context. */
    private static final Pattern COLLECTION_QUESTION = Pattern.compile("Which collection is the (.+?) from\\?");
    private static final Pattern COLLECTION = Pattern.compile("from the ([A-Z][\\w ]*?) collection");

    private static String answerFromContext(List<ChatMessage> messages) {
        String prompt = ((UserMessage) messages.get(messages.size() - 1)).singleText();
        Matcher question = COLLECTION_QUESTION.matcher(prompt.substring(prompt.lastIndexOf("Question:")));
        if (!question.find()) {
            return "I don't know.";
        }
        int at = prompt.indexOf("name: " + question.group(1) + "\n");
        if (at < 0) {
            return "I don't know.";
        }
        int end = prompt.indexOf("\n\n", at); // the stuff chain separates documents with a blank line
        Matcher collection = COLLECTION.matcher(prompt.substring(at, end < 0 ? prompt.length() : end));
        return collection.find() ? "The " + question.group(1) + " is from the " + collection.group(1) + " collection."
                : "I don't know.";
    }

    private static String field(Document document, String column) {
        return document.text().lines().filter(l -> l.startsWith(column + ": ")).findFirst().orElseThrow()
                .substring(column.length() + 2);
    }

    @Test
    void oneLinerIndexesTheCatalogueInTheCacheAndAnswersFromRetrievedRows() {
        assertThat(builtSegments).isGreaterThanOrEqualTo(1_000);
        assertThat(index.segmentCount()).isEqualTo(builtSegments);
        assertThat(index.vectorStore().size()).isEqualTo(builtSegments);
        assertThat(index.directory()).startsWith(home.resolve("cache").resolve("indexes"));
        assertThat(index.directory().resolve(IndexDirectory.MARKER)).exists();

        ScriptedChatModel llm = ScriptedChatModel.replying("| Name | Description |\n|---|---|\n| ... | ... |");
        String query = "Please list all your shirts with sun protection in a table in markdown and summarize each one.";
        assertThat(index.query(query, llm)).startsWith("| Name |");
        String prompt = llm.lastPrompt();
        assertThat(prompt).contains("Question: " + query);
        assertThat(Pattern.compile("^id: TR-\\d{4}$", Pattern.MULTILINE).matcher(prompt).results().count())
                .as("k=4 catalogue rows stuffed into the prompt").isEqualTo(4);
        assertThat(prompt).contains("UPF");

        AnswerWithSources withSources = index.queryWithSources("Which hiking pants are made of recycled polyester fleece?",
                ScriptedChatModel.replying("Some pants."));
        assertThat(withSources.answer()).isEqualTo("Some pants.");
        assertThat(withSources.sourceDocuments()).hasSize(4);
        assertThat(withSources.sources()).allSatisfy(s -> assertThat(s).startsWith(SampleCatalog.PATH.toString()).contains("#row="));
        assertThat(withSources.sourceDocuments()).anySatisfy(d -> assertThat(d.text()).contains("recycled polyester fleece"));
    }

    @Test
    void aSecondFromCsvReusesTheCachedIndexWithoutEmbedding() {
        index.close(); // release the store's lock, as a second process run would find it
        CountingEmbeddingModel counting = new CountingEmbeddingModel(model);
        VectorstoreIndex reopened = VectorstoreIndex.builder().csv(SampleCatalog.PATH).embeddingModel(counting).build();
        index = reopened;
        assertThat(counting.calls.get()).as("embedding calls while reopening").isZero();
        assertThat(reopened.reusedExisting()).isTrue();
        assertThat(reopened.segmentCount()).isEqualTo(builtSegments);
        assertThat(reopened.vectorStore().size()).isEqualTo(builtSegments);
        ScriptedChatModel llm = ScriptedChatModel.replying("fine");
        assertThat(reopened.query("Which trail shorts are trim-fit?", llm)).isEqualTo("fine");
        assertThat(counting.segments.get()).as("only the question is embedded").isEqualTo(1);
    }

    @Test
    void stepByStepLoaderEmbeddingsStoreRetrieverRetrievalQA(@TempDir Path storeDir) throws Exception {
        List<Document> docs = SampleCatalog.documents();
        List<TextSegment> segments;
        try (EmbeddingSegmenter segmenter = EmbeddingSegmenter.create()) {
            segments = segmenter.splitAll(docs);
        }
        List<Embedding> embeddings = model.embedAll(segments).content();
        try (LuceneEmbeddingStore db = LuceneEmbeddingStore.builder().directory(storeDir).dimension(model.dimension()).build()) {
            db.addAll(embeddings, segments);

            // similarity search, as the notes do before building the chain
            Embedding question = model.embed("Please suggest a shirt with sunblocking").content();
            List<EmbeddingMatch<TextSegment>> found = db.search(EmbeddingSearchRequest.builder().queryEmbedding(question)
                    .maxResults(4).build()).matches();
            assertThat(found).hasSize(4).allSatisfy(m -> assertThat(m.score()).isBetween(0.0, 1.0));

            ContentRetriever retriever = EmbeddingStoreContentRetriever.builder().embeddingStore(db).embeddingModel(model)
                    .maxResults(4).build();
            ScriptedChatModel llm = ScriptedChatModel.answering(CatalogQATest::answerFromContext);
            RetrievalQA qaStuff = RetrievalQA.fromChainType(llm, "stuff", retriever);
            String name = field(docs.get(41), "name");
            Matcher collection = COLLECTION.matcher(docs.get(41).text());
            assertThat(collection.find()).isTrue();
            assertThat(qaStuff.run("Which collection is the " + name + " from?"))
                    .isEqualTo("The " + name + " is from the " + collection.group(1) + " collection.");

            // retrieval quality on this store: the source row of 50 generated questions is in the top 4 products
            int hits = 0;
            for (SampleCatalog.Question q : SampleCatalog.questions(7, 50)) {
                Set<Integer> rows = new LinkedHashSet<>();
                for (EmbeddingMatch<TextSegment> match : db.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(model.embed(q.text()).content()).maxResults(12).build()).matches()) {
                    if (rows.size() < 4) {
                        rows.add(match.embedded().metadata().getInteger("row"));
                    }
                }
                hits += rows.contains(q.row()) ? 1 : 0;
            }
            assertThat(hits).as("questions whose source row is in the top 4, of 50").isGreaterThanOrEqualTo(45);
        }
    }

    @Test
    void generatedExamplesAreAnsweredByTheChainAndGradedByQAEval() {
        List<Document> examplesFrom = CsvLoader.from(SampleCatalog.PATH).load().subList(0, 5);
        ScriptedChatModel teacher = ScriptedChatModel.answering(messages -> {
            String doc = ((UserMessage) messages.get(0)).singleText();
            Matcher name = Pattern.compile("name: (.+)").matcher(doc);
            Matcher collection = COLLECTION.matcher(doc);
            return name.find() && collection.find()
                    ? "{\"query\": \"Which collection is the " + name.group(1) + " from?\", \"answer\": \"" + collection.group(1) + "\"}"
                    : "no idea";
        });
        QAGenerateChain.Result generated = QAGenerateChain.fromLlm(teacher).applyAndParse(examplesFrom);
        assertThat(generated.skipped()).isEmpty();
        List<Map<String, Object>> examples = generated.exampleMaps();
        assertThat(examples).hasSize(5);

        RetrievalQA qa = RetrievalQA.builder().chatModel(ScriptedChatModel.answering(CatalogQATest::answerFromContext))
                .retriever(index.asRetriever()).chainType(ChainType.STUFF).build();
        List<Map<String, Object>> predictions = qa.apply(examples);
        assertThat(predictions).allSatisfy(p -> assertThat(p.get("result")).asString().startsWith("The "));

        ScriptedChatModel grader = ScriptedChatModel.answering(messages -> {
            String prompt = ((UserMessage) messages.get(0)).singleText();
            String truth = prompt.replaceAll("(?s).*TRUE ANSWER: (.*?)\n.*", "$1");
            String student = prompt.replaceAll("(?s).*STUDENT ANSWER: (.*?)\nGRADE:.*", "$1");
            return student.contains(truth) ? "GRADE: CORRECT" : "GRADE: INCORRECT";
        });
        QAEvaluation graded = QAEvalChain.fromLlm(grader).evaluate(examples, predictions);
        assertThat(graded.correct()).as("graded %s", graded.results()).isEqualTo(5);
    }

    @Test
    void endToEndThroughTheOpenAiClientAgainstALocalServer() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.answering(
                request -> ScriptedReply.text("From the catalogue: " + request.lastUserMessage().length() + " characters read."))) {
            OpenAiChatModel llm = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
                    .modelName(OpenAiCompatibleTestServer.DEFAULT_MODEL_ID).maxRetries(0).build();
            RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(index.asRetriever())
                    .chainType(ChainType.MAP_RERANK).returnSourceDocuments(true).build();
            // map_rerank needs scores: this server does not give them, so the chain must say so, quoting replies
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> qa.call(Map.of("query", "Which jacket is waterproof?")))
                    .hasMessageContaining("none of the 4 replies").hasMessageContaining("From the catalogue");
            assertThat(server.requestCount()).isEqualTo(4);

            RetrievalQA stuff = RetrievalQA.builder().chatModel(llm).retriever(index.asRetriever()).returnSourceDocuments(true).build();
            Map<String, Object> out = stuff.call(Map.of("query", "Which jacket is waterproof?"));
            assertThat(out.get("result")).asString().startsWith("From the catalogue: ");
            assertThat(server.requestCount()).isEqualTo(5);
            String sent = server.lastRequest().lastUserMessage();
            assertThat(sent).contains("Question: Which jacket is waterproof?");
            @SuppressWarnings("unchecked")
            List<Document> sources = (List<Document>) out.get("source_documents");
            assertThat(sources).hasSize(4).allSatisfy(d -> assertThat(sent).contains(d.text()));
        }
    }
}
