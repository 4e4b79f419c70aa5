package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.model.ModelConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over real parts: a checkpoint directory (BPE tokenizer, GPT-NeoX weights, trellis.json)
 * loaded by {@link LocalChatModel}, served over HTTP, and used through langchain4j's OpenAI client:
 * chat, stream, a tool call and a JSON-schema answer, both produced by constrained decoding.
 */
class ModelServerLocalModelTest {

    static Path dir;
    static LocalChatModel model;
    static ModelServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = TinyCheckpoint.create(Files.createTempDirectory("trellis-serve-e2e"));
        model = LocalChatModel.builder().checkpoint(dir).modelName("tiny").defaultMaxTokens(12).build();
        int context = ModelConfig.read(dir.resolve("config.json")).maxPositionEmbeddings();
        server = ModelServer.builder().chatModel(model).modelId("tiny").checkpointDir(dir)
                .tokenCountEstimator(model.tokenCountEstimator()).contextLength(context).port(0).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (model != null) {
            model.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static OpenAiChatModel client() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("tiny")
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
    }

    @Test
    void chatAndStreamAgreeUnderGreedyDecoding() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("What does product 7 cost?"))
                .temperature(0.0).maxOutputTokens(10).build();
        ChatResponse chat = client().chat(request);
        assertThat(chat.tokenUsage().inputTokenCount()).isPositive();
        assertThat(chat.tokenUsage().outputTokenCount()).isBetween(1, 10);
        assertThat(chat.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                .apiKey("unused").modelName("tiny").timeout(Duration.ofSeconds(60)).build();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                pieces.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        assertThat(String.join("", pieces)).isEqualTo(streamed.aiMessage().text()).isEqualTo(chat.aiMessage().text());
        assertThat(streamed.tokenUsage().outputTokenCount()).isEqualTo(chat.tokenUsage().outputTokenCount());
    }

    @Test
    void seedMakesSamplingRepeatable() {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("What does product 3 cost?"))
                .parameters(OpenAiChatRequestParameters.builder().temperature(1.0).seed(42).maxOutputTokens(12).build())
                .build();
        assertThat(client().chat(request).aiMessage().text()).isEqualTo(client().chat(request).aiMessage().text());
    }

    @Test
    void toolCallIsValidJsonForTheTool() throws Exception {
        ToolSpecification price = ToolSpecification.builder().name("get_price").description("Price of a product")
                .parameters(JsonObjectSchema.builder().addIntegerProperty("product_id").addStringProperty("currency")
                        .required("product_id", "currency").build()).build();
        ChatResponse response = client().chat(ChatRequest.builder().messages(UserMessage.from("price of product 9?"))
                .toolSpecifications(price).toolChoice(ToolChoice.REQUIRED)
                .parameters(OpenAiChatRequestParameters.builder().maxOutputTokens(60).build()).build());

        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        ToolExecutionRequest call = response.aiMessage().toolExecutionRequests().get(0);
        assertThat(call.name()).isEqualTo("get_price");
        JsonNode arguments = new ObjectMapper().readTree(call.arguments());
        assertThat(arguments.get("product_id").isIntegralNumber()).isTrue();
        assertThat(arguments.get("currency").isTextual()).isTrue();
    }

    @Test
    void jsonSchemaAnswerParses() throws Exception {
        JsonSchema schema = JsonSchema.builder().name("price").rootElement(JsonObjectSchema.builder()
                .addStringProperty("name").addEnumProperty("unit", List.of("dollars", "euros"))
                .addBooleanProperty("in_stock").required("name", "unit", "in_stock").build()).build();
        OpenAiChatModel json = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("tiny")
                .strictJsonSchema(true).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ChatResponse response = json.chat(ChatRequest.builder().messages(UserMessage.from("product 5 as JSON"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build())
                .maxOutputTokens(80).build());

        JsonNode answer = new ObjectMapper().readTree(response.aiMessage().text());
        assertThat(answer.get("name").isTextual()).isTrue();
        assertThat(answer.get("unit").asText()).isIn("dollars", "euros");
        assertThat(answer.get("in_stock").isBoolean()).isTrue();
    }

    @Test
    void promptOverTheContextIsRefusedBeforeGeneration() throws Exception {
        String body = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "product cost dollars ".repeat(1000) + "\"}]}";
        JsonNode error = ModelServerHttpTest.error(ModelServerHttpTest.post(server, "/v1/chat/completions", body), 400);
        assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.get("message").asText()).contains("maximum context length is 2048 tokens");

        JsonNode dashboard = new ObjectMapper().readTree(ModelServerHttpTest.get(server, "/api/checkpoint").body());
        assertThat(dashboard.at("/manifest/base_model").asText()).isEqualTo("trellis-tiny-test");
        assertThat(dashboard.at("/config/model_type").asText()).isEqualTo("gpt_neox");
        assertThat(dashboard.get("eval_md").asText()).contains("exact_match");
    }

    @Test
    void toolsWithATinyMaxTokensStopAtTheLimitWithFinishReasonLength() throws Exception {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_price\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"product_id\":{\"type\":\"integer\"}},"
                + "\"required\":[\"product_id\"]}}}]";
        for (int maxTokens : new int[] {1, 3}) {
            String body = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"price of product 9?\"}]"
                    + tools + ",\"max_tokens\":" + maxTokens + "}";
            var response = ModelServerHttpTest.post(server, "/v1/chat/completions", body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode answer = new ObjectMapper().readTree(response.body());
            assertThat(answer.at("/choices/0/finish_reason").asText()).as(response.body()).isEqualTo("length");
            assertThat(answer.at("/usage/completion_tokens").asInt()).as(response.body()).isLessThanOrEqualTo(maxTokens);
            assertThat(answer.at("/choices/0/message/tool_calls").isMissingNode()
                    || answer.at("/choices/0/message/tool_calls").isEmpty()).as(response.body()).isTrue();
        }
    }
}
