package dev.trellis.framework.memory;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over real parts: langchain4j's OpenAI client against an OpenAI-compatible HTTP server
 * on a loopback port, token counts from jtokkit (picked from the model's name), the summary buffer
 * persisted in a FileChatMemoryStore, and a restart of everything but the directory.
 */
class SummaryMemoryEndToEndTest {

    interface Assistant {
        @dev.langchain4j.service.SystemMessage("You are a helpful planner.")
        String chat(String message);
    }

    private OpenAiCompatibleTestServer server;
    private int summaries;

    @BeforeEach
    void startServer() {
        server = OpenAiCompatibleTestServer.answering(request -> {
            List<RecordedRequest.Message> messages = request.messages();
            String last = messages.get(messages.size() - 1).content();
            synchronized (this) {
                return ScriptedReply.text(last.startsWith("You keep a running summary")
                        ? "Summary " + (++summaries) + ": the human is planning a busy day."
                        : "Here is a detailed answer to '" + last + "', long enough to fill a good share of "
                        + "a one hundred token budget in just a couple of turns of this conversation.");
            }
        });
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private Assistant assistant(Path dir) {
        OpenAiChatModel model = OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
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

        RecordedRequest lastChat = server.requests().stream()
                .filter(r -> r.messages().get(0).content().equals("You are a helpful planner."))
                .reduce((a, b) -> b).orElseThrow();
        List<RecordedRequest.Message> messages = lastChat.messages();
        assertThat(messages.get(1).role()).isEqualTo("system");
        assertThat(messages.get(1).content()).startsWith("Summary " + summariesBeforeRestart)
                .doesNotContain(AbstractConversationMemory.SUMMARY_TAG.strip());
        assertThat(messages.get(messages.size() - 1).content()).isEqualTo("What did we plan?");
        assertThat(lastChat.rawBody()).doesNotContain("trellis:"); // the storage tag never reaches the model
    }
}
