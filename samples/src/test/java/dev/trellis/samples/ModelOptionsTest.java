package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.models.ModelConfigurationException;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelOptionsTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @AfterEach
    void clearHome() {
        System.clearProperty(TrellisHome.PROPERTY);
    }

    @Test
    void remoteServerIsUsedAndNamedWhenTheBaseUrlIsSet() {
        try (var server = OpenAiCompatibleTestServer.replying("Hello from the server")) {
            var options = new ModelOptions(Map.of("OPENAI_BASE_URL", server.baseUrl(), "TRELLIS_MODEL", "tiny"));
            ChatModel model = options.chatModel(out);
            assertThat(model.chat("Hi")).isEqualTo("Hello from the server");
            assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
                    "Using remote model tiny at " + server.baseUrl() + System.lineSeparator());
            assertThat(server.lastRequest().model()).isEqualTo("tiny");
        }
    }

    @Test
    void maxTokensReachesTheRemoteServer() {
        try (var server = OpenAiCompatibleTestServer.replying("Short")) {
            var options = new ModelOptions(Map.of("OPENAI_BASE_URL", server.baseUrl(), "TRELLIS_MODEL", "tiny"));
            options.maxTokens = 7;
            assertThat(options.chatModel(out).chat("Hi")).isEqualTo("Short");
            var body = server.lastRequest().body();
            assertThat(body.has("max_tokens") ? body.get("max_tokens").asInt() : body.path("max_completion_tokens").asInt())
                    .isEqualTo(7);
            assertThat(server.lastRequest().model()).isEqualTo("tiny");
        }
    }

    @Test
    void maxTokensCapsALocalModelsReply() throws Exception {
        var options = new ModelOptions(Map.of());
        options.model = TinyCheckpoint.create(Files.createDirectory(home.resolve("tiny")));
        options.maxTokens = 3;
        ChatModel model = options.chatModel(out);
        try {
            var response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                    .messages(dev.langchain4j.data.message.UserMessage.from("Tell me about hats")).build());
            assertThat(response.tokenUsage().outputTokenCount()).isBetween(1, 3);
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void quantizeInt8LoadsTheLocalModelWithInt8WeightsAndSaysSo() throws Exception {
        var options = new ModelOptions(Map.of());
        options.model = TinyCheckpoint.create(Files.createDirectory(home.resolve("tiny")));
        options.maxTokens = 3;
        options.quantize = "int8";
        ChatModel model = options.chatModel(out);
        try {
            assertThat(((dev.trellis.finetune.LocalChatModel) model).quantization())
                    .isEqualTo(dev.trellis.finetune.model.Quantization.INT8);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("(int8 weights)");
            assertThat(model.chat("Tell me about hats")).isNotNull();
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void anUnknownQuantizationNamesTheFlagAndTheChoices() {
        var options = new ModelOptions(Map.of());
        options.quantize = "int4";
        assertThatThrownBy(() -> options.chatModel(out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--quantize 'int4' is not a quantization Trellis knows; use one of [none, int8]");
    }

    @Test
    void quantizeWithARemoteModelIsAMistake() {
        var options = new ModelOptions(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));
        options.quantize = "int8";
        assertThatThrownBy(() -> options.chatModel(out))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("--quantize int8 applies to a local model");
    }

    @Test
    void aMaxTokensBelowOneIsRejected() {
        var options = new ModelOptions(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));
        options.maxTokens = 0;
        assertThatThrownBy(() -> options.chatModel(out))
                .isInstanceOf(ModelConfigurationException.class)
                .hasMessageContaining("--max-tokens 0");
    }

    @Test
    void aMissingCheckpointDirectoryIsNamedInTheError() {
        var options = new ModelOptions(Map.of());
        options.model = home.resolve("nowhere");
        assertThatThrownBy(() -> options.chatModel(out))
                .isInstanceOf(ModelConfigurationException.class)
                .hasMessageContaining("--model " + home.resolve("nowhere") + ": no such directory");
    }

    @Test
    void aDirectoryWithoutConfigIsNotACheckpoint() throws Exception {
        Path dir = Files.createDirectory(home.resolve("empty"));
        var options = new ModelOptions(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));
        options.model = dir;
        assertThatThrownBy(() -> options.chatModel(out))
                .isInstanceOf(ModelConfigurationException.class)
                .hasMessageContaining("not a checkpoint, it has no config.json");
    }

    @Test
    void tokenCounterFallsBackToOpenAisTokenizerForUnknownModels() {
        var options = new ModelOptions(Map.of("TRELLIS_MODEL", "some-local-model"));
        assertThat(options.tokenCounter(null).estimateTokenCountInText("Hello world")).isEqualTo(2);
    }

    @Test
    void homeComesFromThePropertyFirst() {
        System.setProperty(TrellisHome.PROPERTY, home.toString());
        assertThat(TrellisHome.directory()).isEqualTo(home.toAbsolutePath());
        assertThat(TrellisHome.conversations()).isEqualTo(home.toAbsolutePath().resolve("conversations"));
    }
}
