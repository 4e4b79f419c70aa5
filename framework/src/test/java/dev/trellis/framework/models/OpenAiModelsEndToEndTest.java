package dev.trellis.framework.models;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** langchain4j's real OpenAI client, built by {@link Models}, against a real local HTTP server. */
class OpenAiModelsEndToEndTest {

    private static final String KEY = "sk-test-SECRET-0123456789";

    private static OpenAiModelBuilder model(OpenAiCompatibleTestServer server) {
        return Models.openAi().baseUrl(server.baseUrl()).apiKey(KEY).modelName("gpt-test")
                .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200));
    }

    @Test
    void chatsThroughTheRealClient() {
        try (var server = OpenAiCompatibleTestServer.replying("Paris is the capital of France.")) {
            ChatModel llm = model(server).temperature(0.0).build();

            String answer = llm.chat("What is the capital of France?");

            assertThat(answer).isEqualTo("Paris is the capital of France.");
            assertThat(server.requests()).hasSize(1);
            var request = server.lastRequest();
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.model()).isEqualTo("gpt-test");
            assertThat(request.body().get("temperature").asDouble()).isEqualTo(0.0);
            assertThat(request.lastUserMessage()).isEqualTo("What is the capital of France?");
            assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        }
    }

    @Test
    void answersFromAFunctionAndWithToolCalls() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.toolCall("get_weather", "{\"city\":\"Oslo\"}"));
            server.otherwise(request -> ScriptedReply.text("echo: " + request.lastUserMessage()));
            ChatModel llm = model(server).build();
            ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("weather of a city")
                    .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();

            ChatResponse withTool = llm.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"))
                    .toolSpecifications(weather).build());
            String echoed = llm.chat("ping");

            List<ToolExecutionRequest> calls = withTool.aiMessage().toolExecutionRequests();
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).name()).isEqualTo("get_weather");
            assertThat(calls.get(0).arguments()).isEqualTo("{\"city\":\"Oslo\"}");
            assertThat(server.requests().get(0).toolNames()).containsExactly("get_weather");
            assertThat(echoed).isEqualTo("echo: ping");
        }
    }

    @Test
    void retriesA429AndWaitsAsLongAsRetryAfterSays() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.rateLimited(Duration.ofSeconds(1)), ScriptedReply.text("finally"));
            ChatModel llm = model(server).maxRetries(2).build();

            long start = System.nanoTime();
            String answer = llm.chat("hello");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(answer).isEqualTo("finally");
            // Our backoff alone would have waited <= 50 ms; the server asked for 1 s.
            assertThat(elapsedMs).isGreaterThanOrEqualTo(1000).isLessThan(5000);
            // Exactly one retry: langchain4j's own retry loop added no requests.
            assertThat(server.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void honoursRetryAfterGivenAsAnHttpDate() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            // HTTP-dates have whole-second resolution: ask for "now + 2 s", expect at least ~1 s.
            ZonedDateTime until = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2);
            server.enqueue(ScriptedReply.rateLimitedUntil(until), ScriptedReply.text("ok"));
            ChatModel llm = model(server).build();

            long start = System.nanoTime();
            assertThat(llm.chat("hi")).isEqualTo("ok");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(elapsedMs).isGreaterThanOrEqualTo(1000).isLessThan(5000);
            assertThat(server.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void failsFastWhenRetryAfterExceedsTheCap() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.rateLimited(Duration.ofSeconds(120)), ScriptedReply.text("never sent"));
            ChatModel llm = model(server).maxRetryAfter(Duration.ofSeconds(5)).build();

            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> llm.chat("hi"));

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
            assertThat(thrown).isInstanceOf(RateLimitException.class);
            assertThat(thrown.getMessage()).contains("HTTP 429").contains("retry after 120 s");
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void exhausted503NamesEndpointStatusAndServerMessageButNotTheKey() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(3, ScriptedReply.error(503, "The engine is overloaded (key " + KEY + ")"));
            ChatModel llm = model(server).maxRetries(2).build();

            Throwable thrown = catchThrowable(() -> llm.chat("hi"));

            assertThat(thrown).isInstanceOf(InternalServerException.class);
            assertThat(thrown.getCause()).isInstanceOf(ModelHttpException.class);
            ModelHttpException http = (ModelHttpException) thrown.getCause();
            assertThat(http.statusCode()).isEqualTo(503);
            assertThat(http.attempts()).isEqualTo(3);
            assertThat(http.endpoint()).isEqualTo("POST " + server.baseUrl() + "/chat/completions");
            assertThat(http.getMessage()).contains(server.baseUrl() + "/chat/completions")
                    .contains("HTTP 503").contains("after 3 attempts").contains("The engine is overloaded")
                    .doesNotContain(KEY);
            assertThat(thrown.getMessage()).doesNotContain(KEY);
            assertThat(server.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void clientErrorsAreNotRetried() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.error(401, "Incorrect API key provided: " + KEY));
            ChatModel llm = model(server).maxRetries(3).build();

            Throwable thrown = catchThrowable(() -> llm.chat("hi"));

            assertThat(thrown).hasRootCauseInstanceOf(ModelHttpException.class);
            assertThat(thrown.getMessage()).contains("HTTP 401").contains("check the API key").doesNotContain(KEY);
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aHangingServerTimesOutWithinBounds() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.hang(Duration.ofSeconds(30)));
            ChatModel llm = model(server).timeout(Duration.ofMillis(700)).maxRetries(3).build();

            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> llm.chat("hi"));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(thrown).isInstanceOf(ModelTimeoutException.class)
                    .isInstanceOf(dev.langchain4j.exception.TimeoutException.class);
            assertThat(thrown.getMessage()).contains(server.baseUrl() + "/chat/completions").contains("700 ms");
            assertThat(elapsedMs).isGreaterThanOrEqualTo(650).isLessThan(5000);
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void malformedJsonGivesAClearErrorNamingTheEndpoint() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.malformedJson());
            ChatModel llm = model(server).build();

            Throwable thrown = catchThrowable(() -> llm.chat("hi"));

            assertThat(thrown).isInstanceOf(ModelResponseException.class);
            assertThat(thrown.getMessage()).contains(server.baseUrl() + "/chat/completions")
                    .contains("malformed JSON").contains("chatcmpl-broken");
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void aSuccessWithoutChoicesIsAClearErrorNotAnNpe() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.raw(200, java.util.Map.of(), "application/json", "{\"id\":\"x\"}"));
            ChatModel llm = model(server).build();

            assertThatThrownBy(() -> llm.chat("hi")).isInstanceOf(ModelResponseException.class)
                    .hasMessageContaining("without 'choices'");
        }
    }

    @Test
    void unreachableServerNamesTheEndpoint() {
        int freePort;
        try (var server = OpenAiCompatibleTestServer.start()) {
            freePort = server.port();
        }
        ChatModel llm = Models.openAi().baseUrl("http://127.0.0.1:" + freePort + "/v1").maxRetries(1)
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build();

        assertThatThrownBy(() -> llm.chat("hi")).isInstanceOf(ModelConnectionException.class)
                .hasMessageContaining("127.0.0.1:" + freePort).hasMessageContaining("after 2 attempts");
    }

    @Test
    void streamsTokensAndRetriesBeforeTheFirstByte() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.rateLimited(Duration.ofSeconds(1)), ScriptedReply.text("Hello there, streaming world"));
            StreamingChatModel llm = Models.openAiStreaming().baseUrl(server.baseUrl()).apiKey(KEY)
                    .modelName("gpt-test").build();
            List<String> tokens = new CopyOnWriteArrayList<>();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();

            long start = System.nanoTime();
            llm.chat("stream please", handler(tokens, done));
            ChatResponse response = done.get(10, TimeUnit.SECONDS);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(String.join("", tokens)).isEqualTo("Hello there, streaming world");
            assertThat(tokens).hasSizeGreaterThan(1);
            assertThat(response.aiMessage().text()).isEqualTo("Hello there, streaming world");
            assertThat(elapsedMs).isGreaterThanOrEqualTo(1000);
            assertThat(server.requestCount()).isEqualTo(2);
            assertThat(server.lastRequest().stream()).isTrue();
        }
    }

    @Test
    void streamsToolCalls() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.toolCall("get_weather", "{\"city\":\"Oslo\"}"));
            StreamingChatModel llm = Models.openAiStreaming().baseUrl(server.baseUrl()).build();
            ToolSpecification weather = ToolSpecification.builder().name("get_weather")
                    .parameters(JsonObjectSchema.builder().addStringProperty("city").build()).build();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();

            llm.chat(ChatRequest.builder().messages(UserMessage.from("Weather?")).toolSpecifications(weather).build(),
                    handler(new CopyOnWriteArrayList<>(), done));

            List<ToolExecutionRequest> calls = done.get(10, TimeUnit.SECONDS).aiMessage().toolExecutionRequests();
            assertThat(calls).singleElement().satisfies(call -> {
                assertThat(call.name()).isEqualTo("get_weather");
                assertThat(call.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
            });
        }
    }

    @Test
    void streamingMalformedEventAndExhaustedErrorsReachOnError() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.malformedJson());
            server.enqueue(2, ScriptedReply.error(500, "boom"));
            StreamingChatModel llm = Models.openAiStreaming().baseUrl(server.baseUrl()).apiKey(KEY)
                    .maxRetries(1).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)).build();

            CompletableFuture<ChatResponse> first = new CompletableFuture<>();
            llm.chat("a", handler(new CopyOnWriteArrayList<>(), first));
            Throwable malformed = catchThrowable(() -> first.get(10, TimeUnit.SECONDS));

            CompletableFuture<ChatResponse> second = new CompletableFuture<>();
            llm.chat("b", handler(new CopyOnWriteArrayList<>(), second));
            Throwable exhausted = catchThrowable(() -> second.get(10, TimeUnit.SECONDS));

            assertThat(malformed).hasRootCauseInstanceOf(ModelResponseException.class)
                    .rootCause().hasMessageContaining(server.baseUrl()).hasMessageContaining("malformed JSON");
            assertThat(exhausted).hasRootCauseInstanceOf(ModelHttpException.class)
                    .rootCause().hasMessageContaining("HTTP 500").hasMessageContaining("boom");
            assertThat(server.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void streamingHangTimesOut() {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.hang(Duration.ofSeconds(30)));
            StreamingChatModel llm = Models.openAiStreaming().baseUrl(server.baseUrl())
                    .timeout(Duration.ofMillis(500)).build();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();

            llm.chat("a", handler(new CopyOnWriteArrayList<>(), done));

            assertThat(catchThrowable(() -> done.get(10, TimeUnit.SECONDS)))
                    // the JDK's HttpTimeoutException may itself carry the closed connection as its cause
                    .hasStackTraceContaining("java.net.http.HttpTimeoutException")
                    .hasStackTraceContaining("ModelTimeoutException");
        }
    }

    private static StreamingChatResponseHandler handler(List<String> tokens, CompletableFuture<ChatResponse> done) {
        return new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                tokens.add(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        };
    }
}
