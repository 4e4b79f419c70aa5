package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.SequentialChain;
import dev.trellis.framework.chains.SimpleSequentialChain;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The course's chains end to end: Trellis chains -> {@link Models#openAi()} -> langchain4j's real
 * OpenAI client -> HTTP -> {@link OpenAiCompatibleTestServer}, including the faults a real
 * server produces (rate limit, hang, malformed body).
 */
class CourseChainsThroughOpenAiClientTest {

    private static final String NAME_PROMPT = "What is the best name to describe a company that makes {product}?";
    private static final String DESCRIPTION_PROMPT = "Write a 20 words description for the following company:{company_name}";

    private static ChatModel llm(OpenAiCompatibleTestServer server, Duration timeout) {
        return Models.openAi().baseUrl(server.baseUrl()).apiKey("sk-test").modelName("gpt-test").temperature(0.9)
                .timeout(timeout).initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(50)).build();
    }

    /** Answers like a model would, from the prompt's wording. */
    private static ScriptedReply answer(RecordedRequest request) {
        String prompt = request.lastUserMessage();
        if (prompt.startsWith("What is the best name")) {
            return ScriptedReply.text("Royal Rest Linens");
        }
        if (prompt.startsWith("Write a 20 words description")) {
            return ScriptedReply.text("Royal Rest Linens makes soft queen sheet sets for restful nights.");
        }
        if (prompt.startsWith("Translate")) {
            return ScriptedReply.text("I find the taste mediocre.");
        }
        if (prompt.startsWith("Can you summarize")) {
            return ScriptedReply.text("The reviewer dislikes the taste.");
        }
        return ScriptedReply.text("unexpected prompt: " + prompt);
    }

    @Test
    void llmChainRunsOverHttp() {
        try (var server = OpenAiCompatibleTestServer.answering(CourseChainsThroughOpenAiClientTest::answer)) {
            LlmChain chain = new LlmChain(llm(server, Duration.ofSeconds(10)), ChatPromptTemplate.fromTemplate(NAME_PROMPT));

            assertThat(chain.run("Queen Size Sheet Set")).isEqualTo("Royal Rest Linens");
            RecordedRequest request = server.lastRequest();
            assertThat(request.messages()).extracting(RecordedRequest.Message::role, RecordedRequest.Message::content)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("user",
                            "What is the best name to describe a company that makes Queen Size Sheet Set?"));
            assertThat(request.model()).isEqualTo("gpt-test");
            assertThat(request.body().get("temperature").asDouble()).isEqualTo(0.9);
        }
    }

    @Test
    void simpleSequentialChainSurvivesARateLimitMidway() {
        try (var server = OpenAiCompatibleTestServer.answering(CourseChainsThroughOpenAiClientTest::answer)) {
            ChatModel llm = llm(server, Duration.ofSeconds(10));
            SimpleSequentialChain overall = new SimpleSequentialChain(
                    new LlmChain(llm, ChatPromptTemplate.fromTemplate(NAME_PROMPT)),
                    new LlmChain(llm, ChatPromptTemplate.fromTemplate(DESCRIPTION_PROMPT)));
            // The first call succeeds from the function; the second is rate limited once, then answered.
            server.enqueue(ScriptedReply.text("Royal Rest Linens"), ScriptedReply.rateLimited(Duration.ofSeconds(1)));

            long start = System.nanoTime();
            String description = overall.run("Queen Size Sheet Set");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(description).isEqualTo("Royal Rest Linens makes soft queen sheet sets for restful nights.");
            assertThat(server.requestCount()).isEqualTo(3);
            assertThat(server.requests().get(2).lastUserMessage())
                    .isEqualTo("Write a 20 words description for the following company:Royal Rest Linens");
            assertThat(elapsedMs).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void sequentialChainPassesNamedVariablesOverHttp() {
        try (var server = OpenAiCompatibleTestServer.answering(CourseChainsThroughOpenAiClientTest::answer)) {
            ChatModel llm = llm(server, Duration.ofSeconds(10));
            SequentialChain overall = SequentialChain.builder()
                    .chains(LlmChain.builder().llm(llm).outputKey("English_Review")
                                    .prompt(ChatPromptTemplate.fromTemplate("Translate the following review to english:\n\n{Review}")).build(),
                            LlmChain.builder().llm(llm).outputKey("summary")
                                    .prompt(ChatPromptTemplate.fromTemplate("Can you summarize the following review in 1 sentence:\n\n{English_Review}")).build())
                    .inputVariables("Review").outputVariables("English_Review", "summary").build();

            Map<String, Object> result = overall.call(Map.of("Review", "Je trouve le goût médiocre."));

            assertThat(result).containsEntry("English_Review", "I find the taste mediocre.")
                    .containsEntry("summary", "The reviewer dislikes the taste.");
            assertThat(server.requests().get(1).lastUserMessage()).endsWith("\n\nI find the taste mediocre.");
        }
    }

    @Test
    void aHangingServerFailsTheChainWithATimeout() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.hang(Duration.ofSeconds(30)));
            LlmChain chain = new LlmChain(llm(server, Duration.ofMillis(600)), ChatPromptTemplate.fromTemplate(NAME_PROMPT));

            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> chain.run("Queen Size Sheet Set"));

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
            assertThat(causeOfType(thrown, ModelTimeoutException.class).getMessage())
                    .contains(server.baseUrl() + "/chat/completions").contains("600 ms");
        }
    }

    @Test
    void malformedJsonFailsTheChainWithAClearError() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.malformedJson());
            LlmChain chain = new LlmChain(llm(server, Duration.ofSeconds(10)), ChatPromptTemplate.fromTemplate(NAME_PROMPT));

            Throwable thrown = catchThrowable(() -> chain.run("Queen Size Sheet Set"));

            assertThat(causeOfType(thrown, ModelResponseException.class).getMessage())
                    .contains(server.baseUrl() + "/chat/completions").contains("malformed JSON");
        }
    }

    private static <T extends Throwable> T causeOfType(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("expected a " + type.getSimpleName() + " in the cause chain of " + thrown, thrown);
    }
}
