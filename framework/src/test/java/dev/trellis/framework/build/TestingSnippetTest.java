package dev.trellis.framework.build;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.models.Models;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Testing your own code: trellis-testing" snippet, as it stands there. */
class TestingSnippetTest {

    @Test
    void theReadmeSnippetRuns() {
        ScriptedChatModel model = ScriptedChatModel.replying("Royal Rest Linens");
        LlmChain chain = LlmChain.builder().llm(model)
                .prompt(PromptTemplate.fromTemplate("What is the best name for a company that makes {product}?")).build();
        assertThat(chain.predict(Map.of("product", "queen size sheets"))).isEqualTo("Royal Rest Linens");
        assertThat(model.lastPrompt()).contains("queen size sheets");

        try (var server = OpenAiCompatibleTestServer.replying("Hello!")) {   // or OPENAI_BASE_URL=server.baseUrl()
            ChatModel remote = Models.openAi().baseUrl(server.baseUrl()).apiKey("test").build();
            assertThat(remote.chat("Hi")).isEqualTo("Hello!");
        }
    }
}
