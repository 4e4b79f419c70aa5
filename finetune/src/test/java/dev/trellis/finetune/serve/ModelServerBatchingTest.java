package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.generate.BatchLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Continuous batching end to end: a real checkpoint behind the HTTP server with a batching
 * {@link LocalChatModel}; concurrent clients with different parameters get what the same request
 * gets from a one-at-a-time model, a client that leaves is dropped from the batch, a full queue
 * answers 429 with {@code Retry-After}, and /health carries the batch's figures.
 */
class ModelServerBatchingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final int MAX_BATCH = 6;

    static Path dir;
    static LocalChatModel alone;
    static LocalChatModel batching;

    @BeforeAll
    static void load() throws Exception {
        dir = TinyCheckpoint.create(Files.createTempDirectory("trellis-serve-batching"));
        alone = LocalChatModel.builder().checkpoint(dir).modelName("tiny").defaultMaxTokens(16).build();
        batching = LocalChatModel.builder().checkpoint(dir).modelName("tiny").defaultMaxTokens(16)
                .batching(new BatchLimits(MAX_BATCH, 1L << 30)).build();
    }

    @AfterAll
    static void unload() throws Exception {
        if (alone != null) {
            alone.close();
        }
        if (batching != null) {
            batching.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static ModelServer.Builder server(LocalChatModel model, int workers, int queue) {
        ModelServer.Builder b = ModelServer.builder().chatModel(model).modelId("tiny").port(0).workers(workers)
                .queueCapacity(queue);
        return model.schedulerStats().isPresent() ? b.schedulerStats(() -> model.schedulerStats().orElseThrow()) : b;
    }

    /** Request i: its own question, budget, sampling, seed, stop and response format. */
    static String body(int i, boolean stream) {
        String question = "question " + i + " about the trail jacket" + " with pants".repeat(i % 4);
        StringBuilder b = new StringBuilder("{\"model\":\"tiny\",\"stream\":" + stream + ",\"max_tokens\":" + (6 + i % 11)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]");
        switch (i % 5) {
            case 0 -> b.append(",\"temperature\":0");
            case 1 -> b.append(",\"temperature\":0.8,\"top_p\":0.9,\"seed\":").append(40 + i);
            case 2 -> b.append(",\"temperature\":0,\"stop\":[\"the\"]");
            case 3 -> b.append(",\"temperature\":0,\"response_format\":{\"type\":\"json_object\"},\"max_tokens\":30");
            default -> b.append(",\"temperature\":1.1,\"top_k\":15,\"seed\":").append(7 * i);
        }
        return b.append('}').toString();
    }

    static HttpResponse<String> post(ModelServer server, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode health(ModelServer server) throws Exception {
        String root = server.baseUrl().substring(0, server.baseUrl().length() - "/v1".length());
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(root + "/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The answer's text and finish reason, from a JSON body or an event stream. */
    static String answer(HttpResponse<String> response, boolean stream) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        if (!stream) {
            JsonNode choice = JSON.readTree(response.body()).at("/choices/0");
            return choice.at("/message/content").asText() + " | " + choice.get("finish_reason").asText();
        }
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        StringBuilder text = new StringBuilder();
        String reason = null;
        for (String event : response.body().split("\n\n")) {
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                JsonNode choice = JSON.readTree(data).at("/choices/0");
                text.append(choice.at("/delta/content").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    reason = choice.get("finish_reason").asText();
                }
            }
        }
        return text + " | " + reason;
    }

    @Test
    void concurrentClientsGetWhatEachGetsAloneWithTheirOwnParameters() throws Exception {
        int n = 24;
        List<String> expected = new ArrayList<>();
        try (ModelServer server = server(alone, 1, 64).build().start()) {
            for (int i = 0; i < n; i++) {
                expected.add(answer(post(server, body(i, false)), false));
            }
        }
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try (ModelServer server = server(batching, MAX_BATCH, 64).build().start()) {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                boolean stream = i % 2 == 1;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return answer(post(server, body(index, stream)), stream);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            for (int i = 0; i < n; i++) {
                assertThat(answers.get(i).get(120, TimeUnit.SECONDS)).as("request %d: %s", i, body(i, false))
                        .isEqualTo(expected.get(i));
            }
            JsonNode health = health(server);
            assertThat(health.get("scheduler").asText()).isEqualTo("batch");
            assertThat(health.at("/batch/max_size").asInt()).isEqualTo(MAX_BATCH);
            assertThat(health.at("/batch/completed").asLong()).isGreaterThanOrEqualTo(n);
            assertThat(health.at("/batch/generated_tokens").asLong()).isPositive();
            assertThat(health.at("/batch/kv_cache_budget_bytes").asLong()).isEqualTo(1L << 30);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aClientThatLeavesMidStreamIsDroppedFromTheBatch() throws Exception {
        try (ModelServer server = server(batching, MAX_BATCH, 64).build().start()) {
            long before = health(server).at("/batch/completed").asLong();
            long tokensBefore = health(server).at("/batch/generated_tokens").asLong();
            String body = "{\"model\":\"tiny\",\"stream\":true,\"max_tokens\":1500,\"temperature\":0,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"the trail jacket\"}]}";
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                assertThat(new String(in.readNBytes(600), StandardCharsets.UTF_8)).contains("\"content\"");
            }
            assertLeftTheBatchEarly(server, before, tokensBefore);
        }
    }

    @Test
    void aClientThatHangsUpOnANonStreamedRequestIsDroppedFromTheBatch() throws Exception {
        try (ModelServer server = server(batching, MAX_BATCH, 64).build().start()) {
            long before = health(server).at("/batch/completed").asLong();
            long tokensBefore = health(server).at("/batch/generated_tokens").asLong();
            String body = "{\"model\":\"tiny\",\"max_tokens\":1500,\"temperature\":0,\"ignore_eos\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"the trail jacket\"}]}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (health(server).at("/batch/generated_tokens").asLong() == tokensBefore && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } // hangs up without reading the answer
            assertLeftTheBatchEarly(server, before, tokensBefore);
            // the server goes on answering
            assertThat(answer(post(server, body(0, false)), false)).isNotBlank();
        }
    }

    /** The request that asked for 1,500 tokens left the batch long before: its KV cache freed, its worker free. */
    private static void assertLeftTheBatchEarly(ModelServer server, long completedBefore, long tokensBefore) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode health = health(server);
        while ((health.at("/batch/size").asInt() > 0 || health.get("active").asInt() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            health = health(server);
        }
        assertThat(health.at("/batch/size").asInt()).isZero();
        assertThat(health.at("/batch/kv_cache_bytes").asLong()).isZero();
        assertThat(health.get("active").asInt()).isZero();
        assertThat(health.at("/batch/completed").asLong()).isEqualTo(completedBefore + 1);
        assertThat(health.at("/batch/generated_tokens").asLong() - tokensBefore).isLessThan(1500);
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndTheRestSucceed() throws Exception {
        int n = 12;
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try (ModelServer server = server(batching, 2, 2).build().start()) {
            String body = "{\"model\":\"tiny\",\"max_tokens\":200,\"temperature\":0,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hiking pants\"}]}";
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                responses.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return post(server, body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 429) {
                    refused++;
                    assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                            v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    ok++;
                }
            }
            assertThat(refused).isPositive();
            assertThat(ok).isGreaterThanOrEqualTo(4);
        } finally {
            clients.shutdownNow();
        }
    }
}
