package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.SimpleSequentialChain;
import dev.trellis.framework.models.Models;
import dev.trellis.framework.prompts.PromptTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real langchain4j OpenAI client against the server: what any OpenAI application would do. */
class ModelServerOpenAiClientTest {

    static final EchoModel MODEL = new EchoModel();
    static ModelServer server;

    @BeforeAll
    static void start() {
        server = ModelServer.builder().chatModel(MODEL).modelId("echo").port(0)
                .embeddingModel("hash-embed", new HashEmbeddingModel()).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAiChatModel chatModel() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("echo")
                .timeout(Duration.ofSeconds(20)).maxRetries(0).build();
    }

    @Test
    void chatAnswersWithUsage() {
        ChatResponse response = chatModel().chat(ChatRequest.builder()
                .messages(UserMessage.from("hello there"))
                .parameters(OpenAiChatRequestParameters.builder().temperature(0.2).seed(7).build()).build());

        assertThat(response.aiMessage().text()).isEqualTo("Echo: hello there");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(3);
        assertThat(response.modelName()).isEqualTo("echo");
        ChatRequest received = MODEL.requests.get(MODEL.requests.size() - 1);
        assertThat(received.temperature()).isEqualTo(0.2);
        assertThat(received.parameters()).isInstanceOfSatisfying(OpenAiChatRequestParameters.class,
                p -> assertThat(p.seed()).isEqualTo(7));
    }

    @Test
    void streamArrivesInPiecesWithUsage() throws Exception {
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                .apiKey("unused").modelName("echo").timeout(Duration.ofSeconds(20)).build();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("one two three four", new StreamingChatResponseHandler() {
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
        ChatResponse response = done.get(20, TimeUnit.SECONDS);

        assertThat(pieces).hasSizeGreaterThan(3);
        assertThat(String.join("", pieces)).isEqualTo("Echo: one two three four");
        assertThat(response.aiMessage().text()).isEqualTo("Echo: one two three four");
        assertThat(response.tokenUsage()).isNotNull();
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(5);
    }

    @Test
    void toolCallRoundTrip() {
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather in a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        OpenAiChatModel model = chatModel();
        UserMessage question = UserMessage.from("Paris");
        ChatResponse call = model.chat(ChatRequest.builder().messages(question).toolSpecifications(weather)
                .toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).build());

        assertThat(call.aiMessage().hasToolExecutionRequests()).isTrue();
        ToolExecutionRequest request = call.aiMessage().toolExecutionRequests().get(0);
        assertThat(request.name()).isEqualTo("get_weather");
        assertThat(request.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(call.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);

        ChatResponse answer = model.chat(ChatRequest.builder().messages(question, call.aiMessage(),
                ToolExecutionResultMessage.from(request, "sunny, 21 C")).toolSpecifications(weather).build());
        assertThat(answer.aiMessage().text()).isEqualTo("The tool said: sunny, 21 C");
    }

    @Test
    void streamedToolCall() throws Exception {
        ToolSpecification lookup = ToolSpecification.builder().name("lookup_order").description("Order status")
                .parameters(JsonObjectSchema.builder().addIntegerProperty("order_id").required("order_id").build()).build();
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                .apiKey("unused").modelName("echo").timeout(Duration.ofSeconds(20)).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("call lookup_order please"))
                .toolSpecifications(lookup).build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
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
        ChatResponse response = done.get(20, TimeUnit.SECONDS);

        ToolExecutionRequest call = response.aiMessage().toolExecutionRequests().get(0);
        assertThat(call.name()).isEqualTo("lookup_order");
        assertThat(new ObjectMapper().readTree(call.arguments()).get("order_id").asInt())
                .isEqualTo("call lookup_order please".length());
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    }

    @Test
    void jsonObjectModeAnswerParses() throws Exception {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("echo")
                .responseFormat("json_object").maxRetries(0).build();
        JsonNode json = new ObjectMapper().readTree(model.chat("list three colours"));
        assertThat(json.get("answer").asText()).isEqualTo("list three colours");
    }

    @Test
    void jsonSchemaAnswerParses() throws Exception {
        JsonSchema schema = JsonSchema.builder().name("product").rootElement(JsonObjectSchema.builder()
                .addStringProperty("name").addIntegerProperty("length")
                .addEnumProperty("category", List.of("sheets", "pillows")).required("name", "length", "category")
                .build()).build();
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("echo")
                .strictJsonSchema(true).maxRetries(0).build();

        ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("queen sheet set"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build()).build());

        JsonNode json = new ObjectMapper().readTree(response.aiMessage().text());
        assertThat(json.get("name").asText()).isEqualTo("queen sheet set");
        assertThat(json.get("length").asInt()).isEqualTo("queen sheet set".length());
        assertThat(json.get("category").asText()).isEqualTo("sheets");
    }

    @Test
    void trellisChainsRunWithTheBaseUrlPointedAtTheServer() {
        var llm = Models.fromEnvironment(Map.of(Models.OPENAI_BASE_URL, server.baseUrl(), Models.TRELLIS_MODEL, "echo"));
        LlmChain first = new LlmChain(llm, PromptTemplate.fromTemplate("name a company that makes {product}"));
        LlmChain second = new LlmChain(llm, PromptTemplate.fromTemplate("describe {company}"));
        SimpleSequentialChain chain = SimpleSequentialChain.builder().chains(first, second).build();

        assertThat(chain.run("sheets")).isEqualTo("Echo: describe Echo: name a company that makes sheets");
    }

    @Test
    void embeddingsThroughTheOpenAiClient() {
        OpenAiEmbeddingModel client = OpenAiEmbeddingModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("hash-embed").maxRetries(0).build();
        Response<List<Embedding>> response = client.embedAll(List.of(TextSegment.from("a b"), TextSegment.from("c")));

        assertThat(response.content()).hasSize(2);
        HashEmbeddingModel direct = new HashEmbeddingModel();
        assertThat(response.content().get(0).vector()).containsExactly(direct.embed("a b").content().vector());
        assertThat(response.content().get(1).vector()).containsExactly(direct.embed("c").content().vector());
    }

    /** A deterministic embedding model: word hashes into 8 buckets. */
    static final class HashEmbeddingModel implements EmbeddingModel {
        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            List<Embedding> out = new ArrayList<>();
            for (TextSegment segment : segments) {
                float[] v = new float[8];
                for (String word : segment.text().split("\\s+")) {
                    v[Math.floorMod(word.hashCode(), 8)] += 1.25f;
                }
                out.add(Embedding.from(v));
            }
            return Response.from(out);
        }
    }
}
