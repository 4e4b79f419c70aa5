package dev.trellis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The test server spoken to with a plain HTTP client, so its wire format is pinned independently of langchain4j. */
class OpenAiCompatibleTestServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void listsModelsAndRejectsUnknownPaths() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start().servedModel("tiny-1")) {
            HttpResponse<String> models = get(server.baseUrl() + "/models");
            HttpResponse<String> unknown = get(server.baseUrl() + "/embeddings");

            assertThat(server.baseUrl()).startsWith("http://127.0.0.1:");
            assertThat(JSON.readTree(models.body()).at("/data/0/id").asText()).isEqualTo("tiny-1");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).at("/error/message").asText()).contains("/v1/embeddings");
        }
    }

    @Test
    void answersInOpenAiFormatAndRecordsRequests() throws Exception {
        try (var server = OpenAiCompatibleTestServer.replying("Hi there")) {
            HttpResponse<String> response = post(server.baseUrl() + "/chat/completions",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello you\"}]}]}");
            HttpResponse<String> exhausted = post(server.baseUrl() + "/chat/completions",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}");

            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("object").asText()).isEqualTo("chat.completion");
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hi there");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(2);
            assertThat(server.requests().get(0).messages()).extracting(RecordedRequest.Message::content)
                    .containsExactly("be brief", "hello you");
            assertThat(exhausted.statusCode()).isEqualTo(400);
            assertThat(exhausted.body()).contains("no reply scripted for request #2").contains("again");
            assertThat(server.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void streamsServerSentEventsEndingWithDone() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.text("one two three"), ScriptedReply.toolCall("calc", "{\"x\":1}"));
            String request = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";

            HttpResponse<String> text = post(server.baseUrl() + "/chat/completions", request);
            HttpResponse<String> tool = post(server.baseUrl() + "/chat/completions", request);

            assertThat(text.headers().firstValue("Content-Type")).contains("text/event-stream");
            String[] events = text.body().split("\n\n");
            assertThat(events).hasSize(6); // 3 words, finish, usage, [DONE]
            assertThat(JSON.readTree(events[0].substring(6)).at("/choices/0/delta/content").asText()).isEqualTo("one ");
            assertThat(JSON.readTree(events[3].substring(6)).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(JSON.readTree(events[4].substring(6)).at("/usage/completion_tokens").asInt()).isEqualTo(3);
            assertThat(events[5]).isEqualTo("data: [DONE]");
            JsonNode toolChunk = JSON.readTree(tool.body().split("\n\n")[0].substring(6));
            assertThat(toolChunk.at("/choices/0/delta/tool_calls/0/function/name").asText()).isEqualTo("calc");
            assertThat(tool.body()).contains("\"finish_reason\":\"tool_calls\"");
        }
    }

    @Test
    void injectsRateLimitsWithRetryAfter() throws Exception {
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.rateLimited(Duration.ofMillis(1500)));

            HttpResponse<String> response = post(server.baseUrl() + "/chat/completions", "{\"messages\":[]}");

            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).contains("2");
            assertThat(JSON.readTree(response.body()).at("/error/type").asText()).isEqualTo("rate_limit_exceeded");
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
