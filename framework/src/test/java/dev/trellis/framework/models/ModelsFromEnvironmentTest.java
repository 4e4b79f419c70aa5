package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelsFromEnvironmentTest {

    private static final String KEY = "sk-env-SECRET-9876543210";

    @AfterEach
    void restoreProvider() {
        TestLocalModelProvider.available = true;
    }

    @Test
    void keyAndBaseUrlSelectTheRemoteServerWithTheNamedModel() {
        try (var server = OpenAiCompatibleTestServer.replying("remote answer")) {
            ChatModel model = Models.fromEnvironment(Map.of(
                    Models.OPENAI_API_KEY, KEY, Models.OPENAI_BASE_URL, server.baseUrl() + "/", Models.TRELLIS_MODEL, "m-1"));

            assertThat(model).isInstanceOf(OpenAiChatModel.class);
            assertThat(model.chat("hi")).isEqualTo("remote answer");
            assertThat(server.lastRequest().model()).isEqualTo("m-1");
            assertThat(server.lastRequest().header("authorization")).isEqualTo("Bearer " + KEY);
        }
    }

    @Test
    void aBaseUrlWithoutKeyIsAllowedForLocalServers() {
        try (var server = OpenAiCompatibleTestServer.replying("from ollama")) {
            ChatModel model = Models.fromEnvironment(Map.of(Models.OPENAI_BASE_URL, server.baseUrl(), Models.OPENAI_API_KEY, "  "));

            assertThat(model.chat("hi")).isEqualTo("from ollama");
            assertThat(server.lastRequest().header("authorization")).isNull();
            assertThat(server.lastRequest().model()).isEqualTo(OpenAiConnectionBuilder.DEFAULT_MODEL_NAME);
        }
    }

    @Test
    void withoutRemoteConfigurationTheServiceLoadedLocalModelIsUsed() {
        String log = capturingStderr(() -> assertThat(Models.fromEnvironment(Map.of()))
                .isSameAs(TestLocalModelProvider.MODEL));

        assertThat(log).contains("Using local model from test-local");
    }

    @Test
    void theAvailableProviderWithHighestPriorityWins() {
        LocalModelProvider low = provider("low", 0, true);
        LocalModelProvider high = provider("high", 5, true);
        LocalModelProvider absent = provider("absent", 9, false);

        ChatModel model = Models.fromEnvironment(Map.of(), List.of(low, absent, high));

        assertThat(model.chat("x")).isEqualTo("from high");
    }

    @Test
    void withNeitherRemoteNorLocalTheErrorSaysHowToConfigureOne() {
        TestLocalModelProvider.available = false;

        assertThatThrownBy(() -> Models.fromEnvironment(Map.of()))
                .isInstanceOf(NoModelConfiguredException.class)
                .hasMessageContaining("OPENAI_API_KEY").hasMessageContaining("OPENAI_BASE_URL")
                .hasMessageContaining("TRELLIS_MODEL").hasMessageContaining("trellis quickstart")
                .hasMessageContaining("trellis finetune train").hasMessageContaining("[test-local]");
        assertThatThrownBy(() -> Models.fromEnvironment(Map.of(), List.of()))
                .isInstanceOf(NoModelConfiguredException.class)
                .hasMessageContaining("No local model provider is on the classpath");
        assertThatThrownBy(() -> Models.streamingFromEnvironment(Map.of()))
                .isInstanceOf(NoModelConfiguredException.class).hasMessageContaining("OPENAI_BASE_URL");
    }

    @Test
    void aMalformedBaseUrlIsATypedErrorNamingTheVariable() {
        assertThatThrownBy(() -> Models.fromEnvironment(Map.of(Models.OPENAI_BASE_URL, "localhost:11434")))
                .isInstanceOf(ModelConfigurationException.class)
                .hasMessageContaining("OPENAI_BASE_URL").hasMessageContaining("localhost:11434")
                .hasMessageContaining("http");
        assertThatThrownBy(() -> Models.openAi().baseUrl("http://user:pw@example.com/v1"))
                .isInstanceOf(ModelConfigurationException.class).hasMessageNotContaining("pw");
    }

    @Test
    void openAiItselfNeedsAKey() {
        assertThatThrownBy(() -> Models.openAi().build())
                .isInstanceOf(ModelConfigurationException.class).hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void theKeyNeverAppearsInToStringOrLogs() {
        OpenAiModelBuilder builder = Models.openAi().apiKey(KEY).modelName("gpt-4o-mini").temperature(0.2);
        assertThat(builder.toString()).doesNotContain(KEY).contains("apiKey=<redacted>").contains("gpt-4o-mini");

        String log;
        try (var server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.rateLimited(Duration.ofMillis(100)), ScriptedReply.text("ok"));
            log = capturingStderr(() -> {
                ChatModel remote = Models.fromEnvironment(Map.of(Models.OPENAI_API_KEY, KEY,
                        Models.OPENAI_BASE_URL, server.baseUrl()));
                assertThat(remote.chat("hi")).isEqualTo("ok");
                assertThat(remote.toString()).doesNotContain(KEY);
                Models.fromEnvironment(Map.of(Models.OPENAI_API_KEY, KEY));
            });
        }

        assertThat(log).contains("Using remote model 'gpt-4o-mini' at http://127.0.0.1")
                .contains("Using remote model 'gpt-4o-mini' at https://api.openai.com/v1")
                .contains("HTTP 429").contains("Retry-After")
                .doesNotContain(KEY);
    }

    private static LocalModelProvider provider(String name, int priority, boolean available) {
        return new LocalModelProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAvailable() {
                return available;
            }

            @Override
            public ChatModel create() {
                return ScriptedChatModel.answering(messages -> "from " + name);
            }

            @Override
            public int priority() {
                return priority;
            }
        };
    }

    /** slf4j-simple writes to whatever System.err is at the time of each log call. */
    private static String capturingStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
