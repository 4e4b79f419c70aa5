package dev.trellis.framework.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over real parts: langchain4j's OpenAI client against an OpenAI-compatible HTTP server
 * on a loopback port, token counts from jtokkit (picked from the model's name), the summary buffer
 * persisted in a FileChatMemoryStore, and a restart of everything but the directory.
 */
class SummaryMemoryEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    interface Assistant {
        @dev.langchain4j.service.SystemMessage("You are a helpful planner.")
        String chat(String message);
    }

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private int summaries;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            requests.add(request);
            JsonNode messages = request.get("messages");
            String last = messages.get(messages.size() - 1).get("content").asText();
            String answer;
            synchronized (this) {
                answer = last.startsWith("You keep a running summary")
                        ? "Summary " + (++summaries) + ": the human is planning a busy day."
                        : "Here is a detailed answer to '" + last + "', long enough to fill a good share of "
                        + "a one hundred token budget in just a couple of turns of this conversation.";
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("id", "chatcmpl-" + requests.size()).put("object", "chat.completion").put("created", 0)
                    .put("model", request.get("model").asText());
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", answer);
            body.putObject("usage").put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private Assistant assistant(Path dir) {
        OpenAiChatModel model = OpenAiChatModel.builder()
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/v1")
                .apiKey("test-key").modelName("gpt-3.5-turbo").maxRetries(0).build();
        ConversationSummaryBufferMemory memory = ConversationSummaryBufferMemory.builder()
                .chatModel(model).maxTokenLimit(100).id("planner")
                .chatMemoryStore(new FileChatMemoryStore(dir)).build();
        return AiServices.builder(Assistant.class).chatModel(model).chatMemory(memory).build();
    }

    @Test
    void aRestartedChatbotContinuesWithItsSummary(@TempDir Path dir) {
        Assistant before = assistant(dir);
        before.chat("Plan my morning");
        before.chat("Plan my lunch");
        before.chat("Plan my afternoon");
        assertThat(summaries).isPositive();
        int summariesBeforeRestart = summaries;
        before = null; // model, memory, store and service all go; only the directory stays

        Assistant after = assistant(dir);
        after.chat("What did we plan?");

        JsonNode lastChat = requests.stream()
                .filter(r -> r.get("messages").get(0).get("content").asText().equals("You are a helpful planner."))
                .reduce((a, b) -> b).orElseThrow();
        JsonNode messages = lastChat.get("messages");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(1).get("content").asText()).startsWith("Summary " + summariesBeforeRestart)
                .doesNotContain(AbstractConversationMemory.SUMMARY_TAG.strip());
        assertThat(messages.get(messages.size() - 1).get("content").asText()).isEqualTo("What did we plan?");
        assertThat(lastChat.toString()).doesNotContain("trellis:"); // the storage tag never reaches the model
    }
}
