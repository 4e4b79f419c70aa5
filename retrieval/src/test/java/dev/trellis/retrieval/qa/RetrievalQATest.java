package dev.trellis.retrieval.qa;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import dev.trellis.framework.tracing.Tracing;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The logic of each chain type, with a fixed retriever and a scripted model. */
class RetrievalQATest {

    private static final List<String> DOCS = List.of(
            "The Ridge Shirt has UPF 50+ sun protection.",
            "The Canyon Jacket is waterproof.",
            "The Delta Hat has no sun protection rating.");

    private static final ContentRetriever RETRIEVER = query -> {
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < DOCS.size(); i++) {
            contents.add(Content.from(TextSegment.from(DOCS.get(i), new Metadata().put("source", "catalog.csv").put("row", i))));
        }
        return contents;
    };

    private static String prompt(ScriptedChatModel llm, int call) {
        List<ChatMessage> messages = llm.requests().get(call).messages();
        return ((UserMessage) messages.get(messages.size() - 1)).singleText();
    }

    @Test
    void stuffPutsEveryDocumentIntoOnePromptAndReturnsSources() {
        ScriptedChatModel llm = ScriptedChatModel.replying("The Ridge Shirt.");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).returnSourceDocuments(true).build();

        Map<String, Object> out = qa.call(Map.of("query", "Which shirt has sun protection?"));

        assertThat(out.get("result")).isEqualTo("The Ridge Shirt.");
        assertThat(out.get("query")).isEqualTo("Which shirt has sun protection?");
        @SuppressWarnings("unchecked")
        List<Document> sources = (List<Document>) out.get(RetrievalQA.SOURCE_DOCUMENTS_KEY);
        assertThat(sources).extracting(Document::text).containsExactlyElementsOf(DOCS);
        assertThat(sources.get(1).metadata().getInteger("row")).isEqualTo(1);
        assertThat(llm.requests()).hasSize(1);
        assertThat(prompt(llm, 0)).contains(String.join("\n\n", DOCS)).contains("Question: Which shirt has sun protection?");
        assertThat(qa.outputKeys()).containsExactly("result", "source_documents");
    }

    @Test
    void responseIfNoDocsFoundAnswersWithoutTheModelOnlyWhenNothingWasRetrieved() {
        ScriptedChatModel llm = ScriptedChatModel.replying("The Ridge Shirt.");
        String none = "I don't know; that product is not in the given context.";
        RetrievalQA empty = RetrievalQA.builder().chatModel(llm).retriever(query -> List.of()).returnSourceDocuments(true)
                .responseIfNoDocsFound(none).build();

        Map<String, Object> out = empty.call(Map.of("query", "How much is the Alpine Parka?"));

        assertThat(out.get("result")).isEqualTo(none);
        assertThat((List<?>) out.get(RetrievalQA.SOURCE_DOCUMENTS_KEY)).isEmpty();
        assertThat(llm.requests()).isEmpty();
        RetrievalQA found = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).responseIfNoDocsFound(none).build();
        assertThat(found.run("Which shirt has sun protection?")).isEqualTo("The Ridge Shirt.");
        assertThat(llm.requests()).hasSize(1);
        assertThatThrownBy(() -> RetrievalQA.builder().responseIfNoDocsFound(" ")).hasMessageContaining("responseIfNoDocsFound");
    }

    @Test
    void documentSeparatorAndDocumentPromptShapeTheContext() {
        ScriptedChatModel llm = ScriptedChatModel.replying("ok");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).documentSeparator("<<<<>>>>>")
                .documentPrompt(PromptTemplate.fromTemplate("{page_content} (row {row})")).build();

        assertThat(qa.run("Anything waterproof?")).isEqualTo("ok");
        assertThat(prompt(llm, 0)).contains(DOCS.get(0) + " (row 0)<<<<>>>>>" + DOCS.get(1) + " (row 1)<<<<>>>>>");
    }

    @Test
    void fromChainTypeAcceptsTheCourseSpellingAndRejectsUnknownNames() {
        ScriptedChatModel llm = ScriptedChatModel.replying("x");
        assertThat(RetrievalQA.fromChainType(llm, "stuff", RETRIEVER).chainType()).isEqualTo(ChainType.STUFF);
        assertThat(RetrievalQA.fromChainType(llm, "map-reduce", RETRIEVER).chainType()).isEqualTo(ChainType.MAP_REDUCE);
        assertThat(RetrievalQA.fromChainType(llm, "Map_Rerank", RETRIEVER).chainType()).isEqualTo(ChainType.MAP_RERANK);
        assertThatThrownBy(() -> RetrievalQA.fromChainType(llm, "stuffing", RETRIEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'stuffing'").hasMessageContaining("stuff, map_reduce, refine, map_rerank");
    }

    @Test
    void mapReduceExtractsPerDocumentDropsIrrelevantOnesAndCombines() {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String text = ((UserMessage) messages.get(0)).singleText();
            if (text.startsWith("Here are extracts")) {
                return "Final: the Ridge Shirt";
            }
            return text.contains("Ridge Shirt") ? "The Ridge Shirt has UPF 50+ sun protection." : "NO RELEVANT TEXT.";
        });
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_REDUCE).build();

        assertThat(qa.run("Which shirt has sun protection?")).isEqualTo("Final: the Ridge Shirt");
        assertThat(llm.requests()).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(prompt(llm, i)).contains(DOCS.get(i)).doesNotContain(DOCS.get((i + 1) % 3));
        }
        String combine = prompt(llm, 3);
        assertThat(combine).contains("Extracts:\nThe Ridge Shirt has UPF 50+ sun protection.\n\nQuestion:")
                .doesNotContain("NO RELEVANT TEXT");
    }

    @Test
    void refineThreadsTheAnswerThroughEveryDocument() {
        ScriptedChatModel llm = ScriptedChatModel.replying("answer 1", "answer 2", "answer 3");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.REFINE).build();

        assertThat(qa.run("What do you sell?")).isEqualTo("answer 3");
        assertThat(llm.requests()).hasSize(3);
        assertThat(prompt(llm, 0)).contains(DOCS.get(0)).doesNotContain("The answer so far");
        assertThat(prompt(llm, 1)).contains("The answer so far: answer 1").contains(DOCS.get(1));
        assertThat(prompt(llm, 2)).contains("The answer so far: answer 2").contains(DOCS.get(2));
    }

    @Test
    void mapRerankReturnsTheBestScoredAnswerAndTiesGoToTheEarlierDocument() {
        ScriptedChatModel llm = ScriptedChatModel.replying(
                "Answer: maybe the shirt\nScore: 60",
                "**Answer:** the jacket\n**Score:** 90/100",
                "Answer: the hat\nScore: 90");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_RERANK).build();

        assertThat(qa.run("Which one?")).isEqualTo("the jacket");
        assertThat(llm.requests()).hasSize(3);
    }

    @Test
    void mapRerankLeavesOutRepliesWithBadScoreLinesAndSaysSo() {
        ScriptedChatModel llm = ScriptedChatModel.replying(
                "Answer: the shirt\nScore: very high",
                "Answer: the jacket\nScore: 140",
                "Answer: the hat\nScore: 10");
        List<String> texts = new ArrayList<>();
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_RERANK)
                .listener(new ChainListener() {
                    @Override
                    public void onText(ChainRun run, String text) {
                        texts.add(text);
                    }
                }).build();

        assertThat(qa.run("Which one?")).isEqualTo("the hat");
        assertThat(texts).anySatisfy(t -> assertThat(t).contains("left out document 1").contains("'very high'"));
        assertThat(texts).anySatisfy(t -> assertThat(t).contains("left out document 2").contains("above 100"));
    }

    @Test
    void mapRerankFailsQuotingEveryReplyWhenNoneHasAScore() {
        ScriptedChatModel llm = ScriptedChatModel.replying("The shirt.", "The jacket.", "Answer: the hat\nScore:");
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_RERANK).build();

        assertThatThrownBy(() -> qa.run("Which one?"))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining("none of the 3 replies")
                .hasMessageContaining("The shirt.").hasMessageContaining("The jacket.")
                .hasMessageContaining("no 'Score: N' line");
    }

    @Test
    void scoredAnswerParserReadsTheLastScoreLine() {
        ScoredAnswer parsed = ScoredAnswerParser.INSTANCE.parse("Answer: line one\nline two\nScore: 12.5");
        assertThat(parsed.answer()).isEqualTo("line one\nline two");
        assertThat(parsed.score()).isEqualTo(12.5);
        assertThat(ScoredAnswerParser.INSTANCE.parse("It is blue.\nscore = 75%").score()).isEqualTo(75);
        assertThatThrownBy(() -> ScoredAnswerParser.INSTANCE.parse("Score: 80"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("no answer");
        assertThatThrownBy(() -> ScoredAnswerParser.INSTANCE.parse("Answer: x\nScore: -5"))
                .isInstanceOf(OutputParserException.class).hasMessageContaining("'-5'");
    }

    @Test
    void aPromptOverTheContextWindowFailsBeforeItIsSentAndNothingIsCut() {
        ScriptedChatModel llm = ScriptedChatModel.replying("never");
        TokenCountEstimator words = new TokenCountEstimator() {
            @Override
            public int estimateTokenCountInText(String text) {
                return text.split("\\s+").length;
            }

            @Override
            public int estimateTokenCountInMessage(ChatMessage message) {
                return estimateTokenCountInText(((UserMessage) message).singleText());
            }

            @Override
            public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
                int n = 0;
                for (ChatMessage m : messages) {
                    n += estimateTokenCountInMessage(m);
                }
                return n;
            }
        };
        RetrievalQA qa = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).contextWindow(40, words).build();

        assertThatThrownBy(() -> qa.run("Which shirt has sun protection?"))
                .isInstanceOf(ContextTooLongException.class)
                .hasMessageContaining("context window is 40 tokens").hasMessageContaining("nothing was cut")
                .hasMessageContaining("map_reduce");
        assertThat(llm.requests()).isEmpty();

        // one document per call fits where the stuffed prompt did not
        ScriptedChatModel perDocument = ScriptedChatModel.replying("a", "b", "c");
        RetrievalQA refine = RetrievalQA.builder().chatModel(perDocument).retriever(RETRIEVER).chainType(ChainType.REFINE)
                .contextWindow(70, words).build();
        assertThat(refine.run("Which shirt has sun protection?")).isEqualTo("c");
    }

    @Test
    void verboseTracesEveryModelCall() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        Tracing.verboseOutput(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            ScriptedChatModel llm = ScriptedChatModel.replying("e1", "e2", "e3", "final");
            RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).chainType(ChainType.MAP_REDUCE).verbose(true).build()
                    .run("Which shirt has sun protection?");
        } finally {
            Tracing.verboseOutput(previous);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("> Entering new RetrievalQA(map_reduce) chain...").contains("Retrieved 3 document(s)");
        assertThat(printed.split("Prompt after formatting:", -1)).hasSize(5);
        assertThat(printed).contains("> Finished chain.");
    }

    @Test
    void badConfigurationIsNamed() {
        ScriptedChatModel llm = ScriptedChatModel.replying("x");
        assertThatThrownBy(() -> RetrievalQA.builder().chatModel(llm).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retriever(ContentRetriever)");
        assertThatThrownBy(() -> RetrievalQA.builder().retriever(RETRIEVER).build())
                .hasMessageContaining("chatModel(ChatModel)");
        assertThatThrownBy(() -> RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER)
                .prompt(PromptTemplate.fromTemplate("Answer {question}")).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("[context, question]");
        assertThatThrownBy(() -> RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER)
                .refinePrompt(QAPrompts.REFINE).build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("only applies to chain type refine");
        RetrievalQA withSources = RetrievalQA.builder().chatModel(llm).retriever(RETRIEVER).returnSourceDocuments(true).build();
        assertThatThrownBy(() -> withSources.run("q")).hasMessageContaining("use call(Map) instead");
        assertThatThrownBy(() -> RetrievalQA.fromChainType(llm, "stuff", RETRIEVER).call(Map.of("query", " ")))
                .hasMessageContaining("non-blank question");
    }
}
