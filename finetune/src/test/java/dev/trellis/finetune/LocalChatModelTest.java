package dev.trellis.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.memory.ConversationSummaryBufferMemory;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.router.LlmRouterChain;
import dev.trellis.framework.chains.router.MultiPromptChain;
import dev.trellis.framework.chains.router.PromptInfo;
import dev.trellis.framework.memory.ConversationTokenBufferMemory;
import dev.trellis.framework.models.LocalModelProvider;
import dev.trellis.framework.models.Models;
import dev.trellis.framework.prompts.PromptTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LocalChatModel on a tiny random checkpoint, alone and inside the framework's chains. */
class LocalChatModelTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;
    static Path checkpoint;
    static LocalChatModel model;

    @BeforeAll
    static void setUp() throws Exception {
        checkpoint = Files.createDirectories(home.resolve("models").resolve("default"));
        TinyCheckpoint.write(checkpoint, 21);
        model = LocalChatModel.builder().checkpoint(checkpoint).device(Device.cpu()).defaultMaxTokens(16).build();
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    @Test
    void rendersWithTheTrainingTemplateAndReportsExactUsage() {
        List<ChatMessage> messages = List.of(SystemMessage.from("Be brief."), UserMessage.from("hi"),
                AiMessage.from("hello"), UserMessage.from("price of the trail jacket?"));
        String prompt = model.prompt().render(messages, List.of());
        assertThat(prompt).isEqualTo("### Question:\nBe brief.\n\nConversation so far:\nUser: hi\nAssistant: hello\n\n"
                + "price of the trail jacket?\n\n### Answer:\n");
        assertThat(model.prompt().render(List.of(UserMessage.from("q?")), List.of()))
                .isEqualTo(InstructionTemplate.QUESTION_ANSWER.format("q?"));
        ChatResponse r = model.chat(ChatRequest.builder().messages(messages).maxOutputTokens(7).build());
        try (HfTokenizer tok = HfTokenizer.load(checkpoint)) {
            assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(tok.encode(prompt).length);
        }
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(0, 7);
        assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
    }

    @Test
    void greedyIsDefaultAndSeededSamplingRepeats() {
        String a = model.chat("the trail jacket");
        assertThat(model.chat("the trail jacket")).isEqualTo(a);
        ChatRequest sampled = ChatRequest.builder().messages(UserMessage.from("the trail jacket"))
                .parameters(OpenAiChatRequestParameters.builder().temperature(1.5).seed(4).maxOutputTokens(16).build()).build();
        assertThat(model.chat(sampled).aiMessage().text()).isEqualTo(model.chat(sampled).aiMessage().text());
    }

    @Test
    void streamingEqualsBlocking() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hiking pants")).maxOutputTokens(20).build();
        String blocking = model.chat(request).aiMessage().text();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
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
        assertThat(partial.toString()).isEqualTo(blocking).isEqualTo(streamed.aiMessage().text());
    }

    @Test
    void jsonResponseFormatsAlwaysParse() throws Exception {
        JsonObjectSchema schema = JsonObjectSchema.builder().addStringProperty("name").addIntegerProperty("stock")
                .required("name", "stock").build();
        for (int seed = 0; seed < 4; seed++) {
            ChatResponse any = model.chat(ChatRequest.builder().messages(UserMessage.from("json please"))
                    .parameters(OpenAiChatRequestParameters.builder().temperature(1.0).seed(seed).maxOutputTokens(24)
                            .responseFormat(ResponseFormat.JSON).build()).build());
            assertThat(JSON.readTree(any.aiMessage().text()).isObject()).isTrue();
            ChatResponse typed = model.chat(ChatRequest.builder().messages(UserMessage.from("product"))
                    .parameters(OpenAiChatRequestParameters.builder().temperature(1.0).seed(seed).maxOutputTokens(24)
                            .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                                    .jsonSchema(JsonSchema.builder().name("product").rootElement(schema).build()).build())
                            .build()).build());
            JsonNode node = JSON.readTree(typed.aiMessage().text());
            assertThat(node.get("name").isTextual()).isTrue();
            assertThat(node.get("stock").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void toolCallsComeBackAsToolExecutionRequests() throws Exception {
        ToolSpecification search = ToolSpecification.builder().name("search").description("search the catalog")
                .parameters(JsonObjectSchema.builder().addStringProperty("query").required("query").build()).build();
        ToolSpecification clock = ToolSpecification.builder().name("clock").description("the time").build();
        for (int seed = 0; seed < 4; seed++) {
            ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("find a jacket"))
                    .parameters(OpenAiChatRequestParameters.builder().toolSpecifications(search, clock)
                            // room for the longest call's shortest form: a smaller budget ends at the limit, "length"
                            .toolChoice(ToolChoice.REQUIRED).temperature(1.0).seed(seed).maxOutputTokens(64).build())
                    .build());
            AiMessage ai = r.aiMessage();
            assertThat(ai.hasToolExecutionRequests()).as(ai + " " + r.tokenUsage() + " " + r.finishReason()).isTrue();
            assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
            assertThat(r.tokenUsage().outputTokenCount()).as("closing never overruns a budget that can hold it").isLessThanOrEqualTo(64);
            var call = ai.toolExecutionRequests().get(0);
            JsonNode args = JSON.readTree(call.arguments());
            if (call.name().equals("search")) {
                assertThat(args.get("query").isTextual()).isTrue();
            } else {
                assertThat(call.name()).isEqualTo("clock");
                assertThat(args.size()).isZero();
            }
            // The result goes back in the next turn and the model may answer or call again; both are well formed.
            ChatResponse next = model.chat(ChatRequest.builder().messages(UserMessage.from("find a jacket"), ai,
                            ToolExecutionResultMessage.from(call, "Trail Shell, $120"))
                    .parameters(OpenAiChatRequestParameters.builder().toolSpecifications(search, clock)
                            .temperature(1.0).seed(seed).maxOutputTokens(24).build()).build());
            assertThat(next.aiMessage().hasToolExecutionRequests() || next.aiMessage().text() != null).isTrue();
        }
    }

    @Test
    void conversationChainWithExactTokenBufferMemory() {
        var estimator = model.tokenCountEstimator();
        ConversationTokenBufferMemory memory = new ConversationTokenBufferMemory(estimator, 60);
        ConversationChain chain = new ConversationChain(model, memory);
        for (String turn : List.of("hi, I need a jacket", "something waterproof", "for hiking", "what is the price?")) {
            chain.predict(turn);
            assertThat(estimator.estimateTokenCountInMessages(memory.messages())).isLessThanOrEqualTo(60);
        }
        assertThat(memory.messages()).isNotEmpty();
        // The estimator counts with the model's tokenizer: the rendered line's tokens plus the line break.
        try (HfTokenizer tok = HfTokenizer.load(checkpoint)) {
            UserMessage m = UserMessage.from("waterproof jacket");
            assertThat(estimator.estimateTokenCountInMessage(m)).isEqualTo(tok.encode("User: waterproof jacket").length + 1);
        }
    }

    @Test
    void summaryMemoryCountsWithTheModelItselfWhenGivenOnlyTheModel() {
        // The model is a TokenCountEstimator, so the memory needs no tokenCountEstimator(...) to count exactly.
        assertThat(model).isInstanceOf(TokenCountEstimator.class);
        List<ChatMessage> messages = List.of(UserMessage.from("a waterproof jacket"), AiMessage.from("the Trail Shell"));
        assertThat(model.estimateTokenCountInMessages(messages))
                .isEqualTo(model.tokenCountEstimator().estimateTokenCountInMessages(messages));
        assertThat(model.estimateTokenCountInText("waterproof")).isEqualTo(model.tokenCountEstimator().estimateTokenCountInText("waterproof"));

        ConversationSummaryBufferMemory memory = ConversationSummaryBufferMemory.builder().chatModel(model).maxTokenLimit(30).build();
        ConversationChain chain = new ConversationChain(model, memory);
        for (String turn : List.of("hi, I need a jacket", "something waterproof", "for hiking")) {
            chain.predict(turn);
            assertThat(model.estimateTokenCountInMessages(memory.messages().stream()
                    .filter(m -> !(m instanceof SystemMessage)).toList())).isLessThanOrEqualTo(30);
        }
    }

    @Test
    void multiPromptRouterParsesWithAnUntrainedModel() {
        List<PromptInfo> infos = List.of(new PromptInfo("physics", "questions about physics", "Physics: {input}"),
                new PromptInfo("math", "questions about math", "Math: {input}"));
        JsonObjectSchema routeSchema = JsonObjectSchema.builder()
                .addProperty("destination", JsonEnumSchema.builder().enumValues("physics", "math", "DEFAULT").build())
                .addStringProperty("next_inputs").required("destination", "next_inputs").build();
        try (LocalChatModel router = LocalChatModel.builder().checkpoint(checkpoint).device(Device.cpu())
                .defaultMaxTokens(24).temperature(1.0).seed(3)
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("route").rootElement(routeSchema).build()).build())
                .build()) {
            MultiPromptChain chain = MultiPromptChain.builder()
                    .routerChain(LlmRouterChain.fromLlm(router, MultiPromptChain.routerPrompt(infos)))
                    .destinationChains(Map.of(
                            "physics", new LlmChain(model, PromptTemplate.fromTemplate("Physics: {input}")),
                            "math", new LlmChain(model, PromptTemplate.fromTemplate("Math: {input}"))))
                    .defaultChain(new LlmChain(model, PromptTemplate.fromTemplate("{input}")))
                    .build();
            for (String q : List.of("What is black body radiation?", "What is 2 + 2?", "Tell me a joke")) {
                Map<String, Object> out = chain.call(Map.of("input", q));
                assertThat(out).containsKey("text");
            }
        }
    }

    @Test
    void unsupportedPenaltiesAreRefused() {
        assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("x")).frequencyPenalty(0.5).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("repetitionPenalty");
    }

    @Test
    void concurrentRequestsAreServedOneAtATime() throws Exception {
        String expected = model.chat("the price");
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(CompletableFuture.supplyAsync(() -> model.chat("the price")));
        }
        for (var f : futures) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
        }
    }

    @Test
    void registersAsTheFrameworksLocalDefault() {
        Properties props = new Properties();
        props.setProperty(LocalChatModelProvider.HOME_PROPERTY, home.toString());
        LocalChatModelProvider provider = new LocalChatModelProvider(Map.of(), props);
        assertThat(provider.checkpoint()).isEqualTo(checkpoint);
        assertThat(provider.isAvailable()).isTrue();
        assertThat(new LocalChatModelProvider(Map.of(LocalChatModelProvider.TRELLIS_LOCAL_MODEL, checkpoint.toString()),
                new Properties()).checkpoint()).isEqualTo(checkpoint);
        assertThat(new LocalChatModelProvider(Map.of("TRELLIS_HOME", home.resolve("nowhere").toString()), new Properties())
                .isAvailable()).isFalse();
        assertThatThrownBy(() -> new LocalChatModelProvider(Map.of(LocalChatModelProvider.TRELLIS_LOCAL_MODEL,
                home.resolve("missing").toString()), new Properties()).create()).hasMessageContaining("missing");

        boolean registered = ServiceLoader.load(LocalModelProvider.class).stream()
                .anyMatch(p -> p.type() == LocalChatModelProvider.class);
        assertThat(registered).isTrue();
        ChatModel chosen = Models.fromEnvironment(Map.of(), List.of(provider));
        try {
            assertThat(chosen).isInstanceOf(LocalChatModel.class);
        } finally {
            ((LocalChatModel) chosen).close();
        }
    }
}
