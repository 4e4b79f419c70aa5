package dev.trellis.framework.chains;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streaming through chains over real parts: langchain4j's OpenAI streaming client reading
 * server-sent events from an OpenAI-compatible server on a loopback port.
 */
class StreamingOverHttpEndToEndTest {

    private static StreamingChatModel client(OpenAiCompatibleTestServer server) {
        return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName("scripted")
                .timeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void llmChainStreamsServerSentEventsAndSendsStopSequences() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.answering(
                request -> ScriptedReply.text("Royal Linen makes queen size sheets."))) {
            LlmChain chain = LlmChain.builder().streamingLlm(client(server))
                    .prompt(PromptTemplate.fromTemplate("Name a company that makes {product}.")).build();
            List<String> tokens = new ArrayList<>();

            Map<String, Object> result = chain.stream(Map.of("product", "sheets", "stop", List.of("\n\n")), tokens::add);

            assertThat(tokens.size()).isGreaterThan(3);
            assertThat(String.join("", tokens)).isEqualTo("Royal Linen makes queen size sheets.");
            assertThat(result.get("text")).isEqualTo("Royal Linen makes queen size sheets.");
            RecordedRequest request = server.requests().get(0);
            assertThat(request.stream()).isTrue();
            assertThat(request.body().path("stop").toString()).contains("\\n\\n");
            // call() on a streaming-only model waits for the whole answer
            assertThat(chain.run("socks")).isEqualTo("Royal Linen makes queen size sheets.");
        }
    }

    @Test
    void conversationChainStreamsAndRemembersOverHttp() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.answering(request -> {
            List<RecordedRequest.Message> messages = request.messages();
            String prompt = messages.get(messages.size() - 1).content();
            return ScriptedReply.text(prompt.contains("Human: Hi, I am Ada\nAI: Hello Ada") ? "You are Ada." : "Hello Ada!");
        })) {
            ConversationChain chain = ConversationChain.builder().streamingLlm(client(server))
                    .memory(new ConversationBufferMemory()).build();
            List<String> tokens = new ArrayList<>();
            chain.stream(Map.of("input", "Hi, I am Ada"), tokens::add);
            tokens.clear();
            chain.stream(Map.of("input", "Who am I?"), tokens::add);
            assertThat(String.join("", tokens)).isEqualTo("You are Ada.");
        }
    }
}
