package dev.trellis.framework.eval;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Example generation and grading over real parts: langchain4j's OpenAI client sends our prompts
 * over HTTP to an OpenAI-compatible server on a loopback port, which answers like a model would
 * (JSON in a code fence, a grade with reasoning), and the metrics score the same predictions.
 */
class QAEvaluationOverHttpEndToEndTest {

    private OpenAiCompatibleTestServer server;
    private final List<String> prompts = new CopyOnWriteArrayList<>();
    private volatile Function<String, String> answer = prompt -> "?";

    @BeforeEach
    void start() {
        server = OpenAiCompatibleTestServer.answering(request -> {
            List<RecordedRequest.Message> messages = request.messages();
            String prompt = messages.get(messages.size() - 1).content();
            prompts.add(prompt);
            return ScriptedReply.text(answer.apply(prompt));
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ChatModel model() {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("test-key").modelName("scripted").temperature(0.0)
                .timeout(Duration.ofSeconds(10)).maxRetries(0).build();
    }

    @Test
    void generatesGradesAndScoresOverHttp() {
        answer = prompt -> {
            if (prompt.startsWith("You are a teacher writing questions")) {
                if (prompt.contains("Trailhead Fleece Vest")) {
                    return "Here is one:\n```json\n{\"query\": \"How many zip hand pockets does the Trailhead Fleece Vest have?\","
                            + " \"answer\": \"Two zip hand pockets\"}\n```";
                }
                if (prompt.contains("Summit Rain Shell")) {
                    return "{\"query\": \"Which line is the Summit Rain Shell from?\", \"answer\": \"The StormGuard line\"}";
                }
                return "I could not find a fact worth asking about.";
            }
            if (prompt.startsWith("You are a teacher grading a quiz")) {
                return prompt.contains("STUDENT ANSWER: It is from the TrailLite line.")
                        ? "The student names a different line.\nGRADE: INCORRECT"
                        : "GRADE: CORRECT";
            }
            throw new AssertionError("unexpected prompt: " + prompt);
        };
        ChatModel llm = model();

        QAGenerateChain.Result generated = QAGenerateChain.fromLlm(llm).applyAndParse(QAChainsTest.CATALOG);
        assertThat(generated.examples()).hasSize(2);
        assertThat(generated.skipped()).singleElement().satisfies(s -> {
            assertThat(s.index()).isEqualTo(2);
            assertThat(s.llmOutput()).isEqualTo("I could not find a fact worth asking about.");
        });
        assertThat(prompts.get(2)).contains("Harbor Canvas Tote");

        List<Map<String, Object>> examples = generated.exampleMaps();
        List<Map<String, Object>> predictions = new ArrayList<>();
        predictions.add(Map.of("result", "Two zip hand pockets."));
        predictions.add(Map.of("result", "It is from the TrailLite line."));

        QAEvaluation graded = QAEvalChain.fromLlm(llm).evaluate(examples, predictions);
        assertThat(graded.results()).extracting(QAEvaluation.GradedPrediction::grade)
                .containsExactly(Grade.CORRECT, Grade.INCORRECT);
        assertThat(graded.accuracy()).isEqualTo(0.5);
        assertThat(prompts.get(4)).contains("TRUE ANSWER: The StormGuard line");

        // the text metrics on the same pairs
        List<String> answers = generated.examples().stream().map(QAExample::answer).toList();
        List<String> predicted = predictions.stream().map(p -> (String) p.get("result")).toList();
        assertThat(ExactMatch.score(predicted, answers)).isEqualTo(0.0);
        assertThat(ExactMatch.score(predicted, answers, ExactMatch.Normalization.LENIENT)).isEqualTo(0.5);
        // rouge1 of "it is from the traillite line" (6 tokens) vs "the stormguard line" (3): {the, line}
        // P = 2/6, R = 2/3, F = 2(2/9)/(1) = 4/9
        RougeScore second = RougeScorer.of("rouge1").score(answers.get(1), predicted.get(1)).get("rouge1");
        assertThat(second.fmeasure()).isCloseTo(4.0 / 9, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void documentsCanComeFromAnyLoader() {
        answer = prompt -> "{\"query\": \"What is sold?\", \"answer\": \"Tents\"}";
        QAGenerateChain.Result result = QAGenerateChain.fromLlm(model())
                .applyAndParse(List.of(Document.from("We sell tents.")));
        assertThat(result.examples()).containsExactly(new QAExample("What is sold?", "Tents"));
    }
}
