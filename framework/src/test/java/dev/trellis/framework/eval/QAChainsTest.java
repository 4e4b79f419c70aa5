package dev.trellis.framework.eval;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.PromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The course's "LangChain: Evaluation" section in Java against scripted models: hand-written
 * examples, examples generated from documents, predictions from a QA chain, grades from a
 * teacher model, and the count.
 */
class QAChainsTest {

    // Our own small catalog, in the shape of CSV-loaded documents.
    static final List<Document> CATALOG = List.of(
            Document.from("name: Trailhead Fleece Vest\ndescription: Midweight recycled fleece vest with two zip hand pockets."),
            Document.from("name: Summit Rain Shell\ndescription: Waterproof 2.5-layer shell from the StormGuard line; packs into its own pocket."),
            Document.from("name: Harbor Canvas Tote\ndescription: Waxed canvas tote with leather handles."));

    @Test
    void generatesOneExamplePerDocumentFromJsonInAnyWrapping() {
        ScriptedChatModel llm = ScriptedChatModel.replying(
                "```json\n{\"query\": \"How many zip hand pockets does the Trailhead Fleece Vest have?\", \"answer\": \"Two\"}\n```",
                "Sure! Here is a question:\n{\"question\": \"Which line is the Summit Rain Shell from?\", \"answer\": \"The StormGuard line\"}\nGood luck.",
                "{\"query\": \"What are the handles of the Harbor Canvas Tote made of?\", \"answer\": \"Leather\",}");
        QAGenerateChain chain = QAGenerateChain.fromLlm(llm);

        QAGenerateChain.Result generated = chain.applyAndParse(CATALOG);

        assertThat(generated.skipped()).isEmpty();
        assertThat(generated.examples()).containsExactly(
                new QAExample("How many zip hand pockets does the Trailhead Fleece Vest have?", "Two"),
                new QAExample("Which line is the Summit Rain Shell from?", "The StormGuard line"),
                new QAExample("What are the handles of the Harbor Canvas Tote made of?", "Leather"));
        // the document went into our prompt, between the markers, and the JSON example kept single braces
        String prompt = ((UserMessage) llm.requests().get(0).messages().get(0)).singleText();
        assertThat(prompt).contains("<Begin Document>\n" + CATALOG.get(0).text() + "\n<End Document>")
                .contains("{\"query\": \"the question\", \"answer\": \"the answer\"}");
        assertThat(chain.inputKeys()).containsExactly("doc");
        assertThat(chain.outputKeys()).containsExactly("qa_pairs");
    }

    @Test
    void unparseableAnswersThrowOnOneDocumentAndAreSkippedInABatch() {
        String garbage = "I'm sorry, I can only write questions about outdoor gear.";
        QAGenerateChain single = QAGenerateChain.fromLlm(ScriptedChatModel.replying(garbage));
        assertThatThrownBy(() -> single.generate(CATALOG.get(0).text()))
                .isInstanceOf(OutputParserException.class)
                .hasMessageContaining(garbage)
                .satisfies(e -> assertThat(((OutputParserException) e).llmOutput()).isEqualTo(garbage));

        QAGenerateChain batch = QAGenerateChain.fromLlm(ScriptedChatModel.replying(
                "{\"query\": \"Q1?\", \"answer\": \"A1\"}",
                garbage,
                "{\"query\": \"Q3?\"}"));
        QAGenerateChain.Result result = batch.applyAndParse(CATALOG);
        assertThat(result.examples()).containsExactly(new QAExample("Q1?", "A1"));
        assertThat(result.skipped()).extracting(QAGenerateChain.Skipped::index).containsExactly(1, 2);
        assertThat(result.skipped().get(0).llmOutput()).isEqualTo(garbage);
        assertThat(result.skipped().get(1).reason()).contains("\"answer\"").contains("[query]");
        assertThat(result.skipped().get(1).document()).isSameAs(CATALOG.get(2));
    }

    @Test
    void modelFailuresAreNotSkipped() {
        QAGenerateChain chain = QAGenerateChain.fromLlm(ScriptedChatModel.replying("{\"query\": \"Q\", \"answer\": \"A\"}"));
        // the script runs out on the second document: an error, not a skipped document
        assertThatThrownBy(() -> chain.applyAndParse(CATALOG)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ran out of answers");
    }

    @Test
    void rejectsPromptsWithTheWrongVariables() {
        ScriptedChatModel llm = ScriptedChatModel.replying();
        assertThatThrownBy(() -> QAGenerateChain.fromLlm(llm, PromptTemplate.fromTemplate("Quiz me on {text}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[doc]").hasMessageContaining("[text]");
        assertThatThrownBy(() -> QAEvalChain.fromLlm(llm, PromptTemplate.fromTemplate("{query} {result}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[query, answer, result]");
    }

    @Test
    void theCoursesEvaluationLoop() {
        // hard-coded examples, then LLM-generated ones added to them
        List<Map<String, Object>> examples = new ArrayList<>(List.of(
                Map.of("query", "Does the Trailhead Fleece Vest have hand pockets?", "answer", "Yes"),
                Map.of("query", "Which line is the Summit Rain Shell from?", "answer", "The StormGuard line")));
        QAGenerateChain generator = QAGenerateChain.fromLlm(ScriptedChatModel.replying(
                "{\"query\": \"What are the handles of the Harbor Canvas Tote made of?\", \"answer\": \"Leather\"}",
                "{\"query\": \"Is the Summit Rain Shell waterproof?\", \"answer\": \"Yes\"}"));
        examples.addAll(generator.applyAndParse(List.of(CATALOG.get(2), CATALOG.get(1))).exampleMaps());
        assertThat(examples).hasSize(4);

        // the QA application under test (a plain LlmChain here) predicts an answer per example
        LlmChain qa = LlmChain.builder()
                .llm(ScriptedChatModel.replying(
                        "Yes, it has two zip hand pockets.",
                        "It belongs to the TrailLite line.",
                        "The handles are leather.",
                        "It is waterproof."))
                .prompt(PromptTemplate.fromTemplate("Answer from the catalog: {query}"))
                .outputKey("result").build();
        List<Map<String, Object>> predictions = qa.apply(examples);
        assertThat(predictions.get(0)).containsEntry("query", examples.get(0).get("query"))
                .containsEntry("answer", "Yes").containsEntry("result", "Yes, it has two zip hand pockets.");

        // the teacher grades: explicit, first word, last word, and one answer with no grade at all
        ScriptedChatModel teacher = ScriptedChatModel.replying(
                "GRADE: CORRECT",
                "INCORRECT: the true answer is the StormGuard line",
                "The student's answer matches the true answer, so it is correct",
                "Hmm, the true answer says yes and so does the student, but I am not sure.");
        QAEvalChain evalChain = QAEvalChain.fromLlm(teacher);
        QAEvaluation graded = evalChain.evaluate(examples, predictions);

        assertThat(graded.results()).extracting(QAEvaluation.GradedPrediction::grade)
                .containsExactly(Grade.CORRECT, Grade.INCORRECT, Grade.CORRECT, Grade.UNGRADED);
        assertThat(graded.correct()).isEqualTo(2);
        assertThat(graded.incorrect()).isEqualTo(1);
        assertThat(graded.ungraded()).isEqualTo(1);
        assertThat(graded.accuracy()).isEqualTo(2.0 / 3);
        assertThat(graded.ungradedResults()).singleElement()
                .satisfies(r -> assertThat(r.text()).startsWith("Hmm"))
                .satisfies(r -> assertThat(r.index()).isEqualTo(3));
        QAEvaluation.GradedPrediction first = graded.results().get(0);
        assertThat(first.query()).isEqualTo("Does the Trailhead Fleece Vest have hand pockets?");
        assertThat(first.answer()).isEqualTo("Yes");
        assertThat(first.prediction()).isEqualTo("Yes, it has two zip hand pockets.");
        assertThat(first.toMap()).containsEntry("text", "GRADE: CORRECT");

        // the grading prompt carries the question, the true answer and the student's answer
        String prompt = ((UserMessage) teacher.requests().get(1).messages().get(0)).singleText();
        assertThat(prompt).contains("QUESTION: Which line is the Summit Rain Shell from?\n"
                + "TRUE ANSWER: The StormGuard line\n"
                + "STUDENT ANSWER: It belongs to the TrailLite line.\nGRADE:");
    }

    @Test
    void evaluateNamesMissingKeysAndMismatchedLengths() {
        QAEvalChain evalChain = QAEvalChain.fromLlm(ScriptedChatModel.replying());
        assertThatThrownBy(() -> evalChain.evaluate(List.of(Map.of("query", "q", "answer", "a")), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 examples and 0 predictions");
        assertThatThrownBy(() -> evalChain.evaluate(List.of(Map.of("question", "q", "answer", "a")),
                List.of(Map.of("result", "r"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example 0 has no value for key 'query'").hasMessageContaining("question");
        // custom keys
        QAEvalChain grader = QAEvalChain.fromLlm(ScriptedChatModel.replying("GRADE: CORRECT"));
        QAEvaluation graded = grader.evaluate(List.of(Map.of("question", "q", "truth", "a")),
                List.of(Map.of("output", "a")), "question", "truth", "output");
        assertThat(graded.correct()).isEqualTo(1);
    }
}
