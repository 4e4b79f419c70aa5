package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire protocol over raw HTTP: statuses, error shapes, streaming framing, queueing, auth, shutdown. */
class ModelServerHttpTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String HELLO = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";

    static ModelServer.Builder echo(EchoModel model) {
        return ModelServer.builder().chatModel(model).modelId("echo").port(0);
    }

    static HttpResponse<String> post(ModelServer server, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(ModelServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts OpenAI's error shape and returns the error object. */
    static JsonNode error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error).isNotNull();
        assertThat(error.fieldNames()).toIterable().containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        return error;
    }

    @Test
    void badRequestsGetOpenAiStatusesAndShapes() throws Exception {
        TokenCountEstimator words = new WordCounter();
        try (ModelServer server = echo(new EchoModel()).tokenCountEstimator(words).contextLength(12)
                .maxBodyBytes(4096).build().start()) {
            JsonNode malformed = error(post(server, "/v1/chat/completions", "{\"model\": \"echo\", \"messages\": ["), 400);
            assertThat(malformed.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(malformed.get("code").asText()).isEqualTo("invalid_json");
            assertThat(malformed.get("message").asText()).contains("line 1");

            JsonNode unknown = error(post(server, "/v1/chat/completions", HELLO.replace("\"echo\"", "\"gpt-9\"")), 404);
            assertThat(unknown.get("code").asText()).isEqualTo("model_not_found");
            assertThat(unknown.get("param").asText()).isEqualTo("model");
            assertThat(unknown.get("message").asText()).contains("gpt-9").contains("echo");

            JsonNode missing = error(post(server, "/v1/chat/completions", "{\"model\":\"echo\"}"), 400);
            assertThat(missing.get("param").asText()).isEqualTo("messages");
            assertThat(missing.get("code").asText()).isEqualTo("missing_required_parameter");

            String longPrompt = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(20) + "\"}]}";
            JsonNode tooLong = error(post(server, "/v1/chat/completions", longPrompt), 400);
            assertThat(tooLong.get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(tooLong.get("message").asText()).contains("maximum context length is 12 tokens");
            JsonNode tooLongWithMax = error(post(server, "/v1/chat/completions",
                    HELLO.replace("}]}", "}],\"max_tokens\":11}")), 400);
            assertThat(tooLongWithMax.get("code").asText()).isEqualTo("context_length_exceeded");

            String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(10_000) + "\"}]}";
            JsonNode tooBig = error(post(server, "/v1/chat/completions", huge), 413);
            assertThat(tooBig.get("message").asText()).contains("4096 bytes");

            JsonNode wrongType = error(post(server, "/v1/chat/completions",
                    HELLO.replace("}]}", "}],\"temperature\":\"hot\"}")), 400);
            assertThat(wrongType.get("param").asText()).isEqualTo("temperature");
            JsonNode badRole = error(post(server, "/v1/chat/completions",
                    "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"), 400);
            assertThat(badRole.get("param").asText()).isEqualTo("messages[0].role");
            JsonNode badSchema = error(post(server, "/v1/chat/completions", HELLO.replace("}]}",
                    "}],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"tuple\"}}}}")), 400);
            assertThat(badSchema.get("message").asText()).contains("unknown type 'tuple'");

            error(post(server, "/v1/embeddings", "{\"input\":\"x\"}"), 400);
            JsonNode path = error(get(server, "/v1/nothing-here"), 404);
            assertThat(path.get("code").asText()).isEqualTo("unknown_url");

            // The server still answers well-formed requests after all that.
            assertThat(post(server, "/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void chatCompletionShape() throws Exception {
        try (ModelServer server = echo(new EchoModel()).build().start()) {
            JsonNode body = JSON.readTree(post(server, "/v1/chat/completions", HELLO).body());
            assertThat(body.get("object").asText()).isEqualTo("chat.completion");
            assertThat(body.get("id").asText()).startsWith("chatcmpl-");
            assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Echo: hi there");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(
                    body.at("/usage/prompt_tokens").asInt() + body.at("/usage/completion_tokens").asInt());

            JsonNode limited = JSON.readTree(post(server, "/v1/chat/completions", HELLO.replace("}]}",
                    "}],\"max_tokens\":1,\"stop\":[\"never\"]}")).body());
            assertThat(limited.at("/choices/0/message/content").asText()).isEqualTo("Echo:");
            assertThat(limited.at("/choices/0/finish_reason").asText()).isEqualTo("length");

            JsonNode models = JSON.readTree(get(server, "/v1/models").body());
            assertThat(models.at("/data/0/id").asText()).isEqualTo("echo");
            JsonNode completion = JSON.readTree(post(server, "/v1/completions",
                    "{\"model\":\"echo\",\"prompt\":[\"a b\",\"c\"]}").body());
            assertThat(completion.get("object").asText()).isEqualTo("text_completion");
            assertThat(completion.at("/choices/0/text").asText()).isEqualTo("Echo: a b");
            assertThat(completion.at("/choices/1/text").asText()).isEqualTo("Echo: c");
            JsonNode health = JSON.readTree(get(server, "/health").body());
            assertThat(health.get("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void streamIsServerSentEventsEndingInDone() throws Exception {
        try (ModelServer server = echo(new EchoModel()).build().start()) {
            HttpResponse<String> withUsage = post(server, "/v1/chat/completions", HELLO.replace("}]}",
                    "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
            assertThat(withUsage.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
            List<String> events = events(withUsage.body());
            assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
            List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(ModelServerHttpTest::parse).toList();
            assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            String text = chunks.stream().map(c -> c.at("/choices/0/delta/content").asText("")).collect(Collectors.joining());
            assertThat(text).isEqualTo("Echo: hi there");
            JsonNode last = chunks.get(chunks.size() - 1);
            assertThat(last.get("choices")).isEmpty();
            assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(3);
            assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");

            List<String> without = events(post(server, "/v1/chat/completions",
                    HELLO.replace("}]}", "}],\"stream\":true}")).body());
            assertThat(without).noneMatch(e -> e.contains("\"usage\""));
            assertThat(without.get(without.size() - 1)).isEqualTo("[DONE]");

            List<String> text2 = events(post(server, "/v1/completions",
                    "{\"prompt\":\"a b\",\"stream\":true}").body());
            assertThat(text2.get(text2.size() - 1)).isEqualTo("[DONE]");
            assertThat(text2.stream().filter(e -> !e.equals("[DONE]")).map(e -> parse(e).at("/choices/0/text").asText())
                    .collect(Collectors.joining())).isEqualTo("Echo: a b");
        }
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() throws Exception {
        EchoModel model = new EchoModel();
        model.hold(1);
        try (ModelServer server = echo(model).workers(1).queueCapacity(1).build().start()) {
            CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> call(server));
            assertThat(model.awaitStarted(10)).isTrue();
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> call(server));
            waitFor(() -> server.port() > 0 && queuedOnServer(server) == 1);

            HttpResponse<String> refused = post(server, "/v1/chat/completions", HELLO);
            JsonNode error = error(refused, 429);
            assertThat(error.get("type").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));

            model.release();
            assertThat(running.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(queued.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void gracefulShutdownFinishesInFlightAndRefusesNew() throws Exception {
        EchoModel model = new EchoModel();
        model.hold(1);
        ModelServer server = echo(model).build().start();
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> call(server));
        assertThat(model.awaitStarted(10)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        waitFor(() -> get(server, "/health").statusCode() == 503);

        JsonNode refused = error(post(server, "/v1/chat/completions", HELLO), 503);
        assertThat(refused.get("code").asText()).isEqualTo("server_shutting_down");
        assertThat(closing).isNotDone();

        model.release();
        HttpResponse<String> finished = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(finished.body()).at("/choices/0/message/content").asText()).isEqualTo("Echo: hi there");
        closing.get(20, TimeUnit.SECONDS);
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void apiKeyIsRequiredWhenSetAndBindingIsSafe() throws Exception {
        try (ModelServer server = echo(new EchoModel()).apiKey("s3cret-key").build().start()) {
            JsonNode none = error(post(server, "/v1/chat/completions", HELLO), 401);
            assertThat(none.get("code").asText()).isEqualTo("invalid_api_key");
            error(post(server, "/v1/chat/completions", HELLO, "Authorization", "Bearer s3cret-kex"), 401);
            error(get(server, "/v1/models", "Authorization", "Bearer s3cret"), 401);
            error(get(server, "/api/checkpoint"), 401);
            assertThat(post(server, "/v1/chat/completions", HELLO, "Authorization", "Bearer s3cret-key").statusCode())
                    .isEqualTo(200);
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
            assertThat(get(server, "/").statusCode()).isEqualTo(200);
        }
        try (ModelServer first = echo(new EchoModel()).build().start()) {
            ModelServer second = echo(new EchoModel()).port(first.port()).build();
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot listen on 127.0.0.1:" + first.port());
        }
        ModelServer open = echo(new EchoModel()).host("0.0.0.0").build();
        assertThatThrownBy(open::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Refusing to listen on 0.0.0.0 without an API key");
    }

    @Test
    void corsLetsConfiguredOriginsCallTheApi() throws Exception {
        try (ModelServer server = echo(new EchoModel()).apiKey("k").allowedOrigins(List.of("http://localhost:3000"))
                .build().start()) {
            HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://localhost:3000")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization,content-type").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");

            HttpResponse<String> call = post(server, "/v1/chat/completions", HELLO, "Authorization", "Bearer k",
                    "Origin", "http://localhost:3000");
            assertThat(call.statusCode()).isEqualTo(200);
            assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
            HttpResponse<String> other = post(server, "/v1/chat/completions", HELLO, "Authorization", "Bearer k",
                    "Origin", "http://evil.example");
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void pagesAndDashboardDataComeFromTheJar(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("trellis.json"), "{\"baseModel\":\"tiny\",\"training\":{\"steps\":3}}");
        java.nio.file.Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}\n");
        java.nio.file.Files.writeString(dir.resolve("eval.jsonl"), "{\"question\":\"q\",\"exact_match\":1.0}\n");
        try (ModelServer server = echo(new EchoModel()).checkpointDir(dir).build().start()) {
            HttpResponse<String> index = get(server, "/");
            assertThat(index.body()).contains("Trellis playground").doesNotContain("https://");
            assertThat(get(server, "/dashboard").body()).contains("Trellis dashboard");
            assertThat(get(server, "/static/playground.js").headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertThat(get(server, "/static/..%2Fsecret.js").statusCode()).isEqualTo(404);
            JsonNode data = JSON.readTree(get(server, "/api/checkpoint").body());
            assertThat(data.at("/manifest/baseModel").asText()).isEqualTo("tiny");
            assertThat(data.at("/metrics/1/loss").asDouble()).isEqualTo(2.0);
            assertThat(data.at("/eval/0/exact_match").asDouble()).isEqualTo(1.0);
            assertThat(data.get("loss_png").asBoolean()).isFalse();
            error(get(server, "/api/checkpoint/loss.png"), 404);
        }
        java.nio.file.Path intermediate = java.nio.file.Files.createDirectories(dir.resolve("checkpoint-2"));
        java.nio.file.Files.write(intermediate.resolve("loss.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        try (ModelServer server = echo(new EchoModel()).checkpointDir(intermediate).build().start()) {
            JsonNode data = JSON.readTree(get(server, "/api/checkpoint").body());
            assertThat(data.at("/metrics/0/loss").asDouble()).as("the run's metrics, from the output directory").isEqualTo(2.5);
            assertThat(data.get("manifest").isNull()).isTrue();
            assertThat(data.get("loss_png").asBoolean()).isTrue();
            HttpResponse<String> png = get(server, "/api/checkpoint/loss.png");
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        }
    }

    @Test
    void clientLeavingMidStreamStopsGenerationAndFreesTheWorker() throws Exception {
        Ticker ticker = new Ticker(null);
        try (ModelServer server = ModelServer.builder().chatModel(ticker).modelId("echo").port(0).build().start()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO.replace("}]}", "}],\"stream\":true}"))).build();
            HttpResponse<java.io.InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream body = response.body()) {
                assertThat(new String(body.readNBytes(700), java.nio.charset.StandardCharsets.UTF_8)).contains("tick");
            }
            waitFor(() -> ticker.stopped);
            assertThat(ticker.ticks).isLessThan(Ticker.TICKS);
            waitFor(() -> JSON.readTree(get(server, "/health").body()).get("active").asInt() == 0);
        }
    }

    @Test
    void modelFailureIs500AndEndsAStreamWithAnErrorEvent() throws Exception {
        try (ModelServer server = ModelServer.builder().chatModel(new Ticker("weights are corrupt")).modelId("echo")
                .port(0).build().start()) {
            JsonNode error = error(post(server, "/v1/chat/completions", HELLO), 500);
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            assertThat(error.get("message").asText()).contains("weights are corrupt");

            List<String> events = events(post(server, "/v1/chat/completions",
                    HELLO.replace("}]}", "}],\"stream\":true}")).body());
            assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
            JsonNode streamed = JSON.readTree(events.get(events.size() - 2)).get("error");
            assertThat(streamed.get("message").asText()).contains("weights are corrupt");
        }
    }

    /** Streams "tick " many times with a pause, or fails at once when given a failure message. */
    static final class Ticker implements dev.langchain4j.model.chat.ChatModel, dev.langchain4j.model.chat.StreamingChatModel {
        static final int TICKS = 500;
        private final String failure;
        volatile int ticks;
        volatile boolean stopped;

        Ticker(String failure) {
            this.failure = failure;
        }

        @Override
        public dev.langchain4j.model.chat.response.ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return dev.langchain4j.model.chat.response.ChatResponse.builder()
                    .aiMessage(dev.langchain4j.data.message.AiMessage.from("tick")).build();
        }

        @Override
        public void doChat(dev.langchain4j.model.chat.request.ChatRequest request,
                           dev.langchain4j.model.chat.response.StreamingChatResponseHandler handler) {
            if (failure != null) {
                handler.onError(new IllegalStateException(failure));
                return;
            }
            try {
                for (int i = 0; i < TICKS; i++) {
                    handler.onPartialResponse("tick ");
                    ticks++;
                    Thread.sleep(20);
                }
                handler.onCompleteResponse(doChat(request));
            } catch (RuntimeException e) {
                // The server's handler fails the callback once the client is gone: stop generating.
                handler.onError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped = true;
            }
        }

        @Override
        public dev.langchain4j.model.chat.request.ChatRequestParameters defaultRequestParameters() {
            return dev.langchain4j.model.chat.request.ChatRequestParameters.builder().build();
        }

        @Override
        public List<dev.langchain4j.model.chat.listener.ChatModelListener> listeners() {
            return List.of();
        }

        @Override
        public dev.langchain4j.model.ModelProvider provider() {
            return dev.langchain4j.model.ModelProvider.OTHER;
        }

        @Override
        public java.util.Set<dev.langchain4j.model.chat.Capability> supportedCapabilities() {
            return java.util.Set.of();
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static HttpResponse<String> call(ModelServer server) {
        try {
            return post(server, "/v1/chat/completions", HELLO);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int queuedOnServer(ModelServer server) throws Exception {
        return JSON.readTree(get(server, "/health").body()).get("queued").asInt();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(20);
        }
    }

    static List<String> events(String body) {
        assertThat(body).endsWith("\n\n");
        return java.util.Arrays.stream(body.split("\n\n")).map(e -> {
            assertThat(e).startsWith("data: ");
            return e.substring(6);
        }).toList();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** Counts whitespace-separated words: a stand-in for the model's tokenizer. */
    static final class WordCounter implements TokenCountEstimator {
        @Override
        public int estimateTokenCountInText(String text) {
            return text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }

        @Override
        public int estimateTokenCountInMessage(ChatMessage message) {
            return estimateTokenCountInText(message instanceof dev.langchain4j.data.message.UserMessage user
                    ? user.singleText() : message.toString());
        }

        @Override
        public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
            int total = 0;
            for (ChatMessage message : messages) {
                total += estimateTokenCountInMessage(message);
            }
            return total;
        }
    }
}
