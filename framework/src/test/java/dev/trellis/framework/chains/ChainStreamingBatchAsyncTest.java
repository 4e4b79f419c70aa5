package dev.trellis.framework.chains;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.testing.ScriptedStreamingChatModel;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** stream, batch and callAsync on chains, with scripted streaming models. */
class ChainStreamingBatchAsyncTest {

    private static final String ANSWER = "Royal Linen makes fine queen size sheets.";

    @Test
    void llmChainStreamsTokenByTokenFromAStreamingModel() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying(ANSWER, ANSWER);
        LlmChain chain = new LlmChain(llm, PromptTemplate.fromTemplate("Name a company that makes {product}."));
        List<String> tokens = new ArrayList<>();

        Map<String, Object> result = chain.stream(Map.of("product", "sheets"), tokens::add);

        assertThat(tokens).containsExactlyElementsOf(ScriptedStreamingChatModel.tokens(ANSWER)).hasSizeGreaterThan(3);
        assertThat(String.join("", tokens)).isEqualTo(ANSWER);
        assertThat(result).containsEntry("text", ANSWER).containsEntry("product", "sheets");
        assertThat(llm.streamedCalls()).isEqualTo(1);
        // call() on the same chain does not stream
        chain.call(Map.of("product", "sheets"));
        assertThat(llm.streamedCalls()).isEqualTo(1);
    }

    @Test
    void aNonStreamingModelGivesTheAnswerInOnePiece() {
        LlmChain chain = new LlmChain(ScriptedChatModel.replying(ANSWER), PromptTemplate.fromTemplate("{q}"));
        List<String> tokens = new ArrayList<>();
        chain.stream(Map.of("q", "x"), tokens::add);
        assertThat(tokens).containsExactly(ANSWER);
    }

    @Test
    void aStreamingOnlyModelServesCallAndStream() {
        StreamingChatModel streamingOnly = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                handler.onPartialResponse("Hello");
                handler.onPartialResponse(" world");
                handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("Hello world")).build());
            }
        };
        LlmChain chain = LlmChain.builder().streamingLlm(streamingOnly).prompt(PromptTemplate.fromTemplate("{q}")).build();
        assertThat(chain.run("hi")).isEqualTo("Hello world");
        List<String> tokens = new ArrayList<>();
        chain.stream(Map.of("q", "hi"), tokens::add);
        assertThat(tokens).containsExactly("Hello", " world");
    }

    @Test
    void aStreamingErrorReachesTheCaller() {
        StreamingChatModel failing = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                handler.onPartialResponse("Hel");
                handler.onError(new IllegalStateException("connection reset"));
            }
        };
        LlmChain chain = LlmChain.builder().streamingLlm(failing).prompt(PromptTemplate.fromTemplate("{q}")).build();
        List<String> tokens = new ArrayList<>();
        assertThatThrownBy(() -> chain.stream(Map.of("q", "hi"), tokens::add)).hasMessageContaining("connection reset");
        assertThat(tokens).containsExactly("Hel");
    }

    @Test
    void stopSequencesApplyToStreamedCalls() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("one two STOP three");
        LlmChain chain = new LlmChain(llm, PromptTemplate.fromTemplate("{q}"));
        List<String> tokens = new ArrayList<>();
        Map<String, Object> result = chain.stream(Map.of("q", "count", "stop", "STOP"), tokens::add);
        assertThat(result.get("text")).isEqualTo("one two ");
        assertThat(llm.requests().get(0).stopSequences()).containsExactly("STOP");
    }

    @Test
    void conversationChainStreamsAndRemembers() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("Hello Andrew, nice to meet you.",
                "Your name is Andrew.");
        ConversationBufferMemory memory = new ConversationBufferMemory();
        ConversationChain conversation = new ConversationChain(llm, memory);
        List<String> tokens = new ArrayList<>();
        conversation.stream(Map.of("input", "Hi, my name is Andrew"), tokens::add);
        assertThat(String.join("", tokens)).isEqualTo("Hello Andrew, nice to meet you.");
        tokens.clear();
        conversation.stream(Map.of("input", "What is my name?"), tokens::add);
        assertThat(String.join("", tokens)).isEqualTo("Your name is Andrew.");
        assertThat(llm.lastPrompt()).contains("Human: Hi, my name is Andrew\nAI: Hello Andrew, nice to meet you.");
        assertThat(memory.messages()).hasSize(4);
    }

    @Test
    void sequentialChainStreamsOnlyItsLastStep() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("Royal Linen", "Royal Linen sells sheets.");
        LlmChain name = LlmChain.builder().llm(llm).prompt(PromptTemplate.fromTemplate("Name a maker of {product}"))
                .outputKey("company").build();
        LlmChain describe = LlmChain.builder().llm(llm).prompt(PromptTemplate.fromTemplate("Describe {company}"))
                .outputKey("description").build();
        SequentialChain overall = SequentialChain.builder().chains(name, describe).inputVariables("product").build();
        List<String> tokens = new ArrayList<>();

        Map<String, Object> result = overall.stream(Map.of("product", "sheets"), tokens::add);

        assertThat(String.join("", tokens)).isEqualTo("Royal Linen sells sheets.");
        assertThat(result).containsEntry("description", "Royal Linen sells sheets.");
        assertThat(llm.requests()).hasSize(2);
        assertThat(llm.streamedCalls()).isEqualTo(1);

        ScriptedStreamingChatModel simpleLlm = ScriptedStreamingChatModel.replying("Royal Linen", "Royal Linen sells sheets.");
        SimpleSequentialChain simple = new SimpleSequentialChain(
                new LlmChain(simpleLlm, PromptTemplate.fromTemplate("Name a maker of {product}")),
                new LlmChain(simpleLlm, PromptTemplate.fromTemplate("Describe {company}")));
        tokens.clear();
        simple.stream(Map.of("input", "sheets"), tokens::add);
        assertThat(String.join("", tokens)).isEqualTo("Royal Linen sells sheets.");
        assertThat(simpleLlm.streamedCalls()).isEqualTo(1);
    }

    @Test
    void tracingRecordsStreamedRuns() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        ChainListener recorder = new ChainListener() {
            @Override
            public void onChainStart(ChainRun run, Map<String, Object> inputs) {
                events.add("start " + run.chainName() + (run.isStreaming() ? " (streaming)" : ""));
            }

            @Override
            public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
                events.add("prompt " + ((UserMessage) messages.get(0)).singleText());
            }

            @Override
            public void onToken(ChainRun run, String token) {
                events.add("token " + token);
            }

            @Override
            public void onChatModelEnd(ChainRun run, ChatResponse response) {
                events.add("answer " + response.aiMessage().text());
            }

            @Override
            public void onChainEnd(ChainRun run, Map<String, Object> outputs) {
                events.add("end " + outputs);
            }
        };
        LlmChain chain = LlmChain.builder().name("namer").llm(ScriptedStreamingChatModel.replying("Royal Linen"))
                .prompt(PromptTemplate.fromTemplate("Name a maker of {product}")).listener(recorder).build();
        chain.stream(Map.of("product", "sheets"), token -> { });
        assertThat(events).containsExactly("start namer (streaming)", "prompt Name a maker of sheets", "token Royal ",
                "token Linen", "answer Royal Linen", "end {text=Royal Linen}");
    }

    @Test
    void chainsThatCannotStreamPassTheirOutputOnWhole() {
        Chain custom = new Chain() {
            @Override
            public List<String> inputKeys() {
                return List.of("in");
            }

            @Override
            public List<String> outputKeys() {
                return List.of("out");
            }

            @Override
            public Map<String, Object> call(Map<String, Object> inputs) {
                return Map.of("in", inputs.get("in"), "out", "echo " + inputs.get("in"));
            }
        };
        List<String> tokens = new ArrayList<>();
        custom.stream(Map.of("in", "x"), tokens::add);
        assertThat(tokens).containsExactly("echo x");
        tokens.clear();
        FakeChain.of(List.of("foo"), List.of("bar")).stream(Map.of("foo", "1"), tokens::add);
        assertThat(tokens).containsExactly("1foo");
    }

    @Test
    void batchReturnsResultsInOrderWithBoundedConcurrencyAndReportsFailures() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String text = ((UserMessage) messages.get(0)).singleText();
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            try {
                // later inputs finish first, so completion order differs from input order
                Thread.sleep(10L * (10 - Integer.parseInt(text.replaceAll("\\D", ""))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            if (text.contains("#3")) {
                throw new IllegalStateException("model overloaded on " + text);
            }
            return "answer to " + text;
        });
        LlmChain chain = new LlmChain(llm, PromptTemplate.fromTemplate("question #{n}"));
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(Map.of("n", i));
        }

        List<BatchResult> results = chain.batch(inputs, 3);

        assertThat(results).hasSize(8);
        for (int i = 0; i < 8; i++) {
            BatchResult result = results.get(i);
            assertThat(result.index()).isEqualTo(i);
            assertThat(result.inputs()).isEqualTo(Map.of("n", i));
            if (i == 3) {
                assertThat(result.isSuccess()).isFalse();
                assertThat(result.error()).get().extracting(Throwable::getMessage).asString()
                        .contains("model overloaded on question #3");
                assertThatThrownBy(result::outputs).isInstanceOf(ChainBatchException.class)
                        .hasMessageContaining("batch input 3 failed").hasCauseInstanceOf(IllegalStateException.class);
            } else {
                assertThat(result.isSuccess()).isTrue();
                assertThat(result.outputs()).containsEntry("text", "answer to question #" + i);
            }
        }
        assertThat(most.get()).isBetween(2, 3);
        assertThat(chain.batch(List.of())).isEmpty();
        assertThatThrownBy(() -> chain.batch(inputs, 0)).hasMessageContaining("maxConcurrency must be at least 1");
    }

    @Test
    void callAsyncCompletesWithTheResultOrTheError() throws Exception {
        LlmChain chain = new LlmChain(ScriptedChatModel.replying("async answer"), PromptTemplate.fromTemplate("{q}"));
        CompletableFuture<Map<String, Object>> future = chain.callAsync(Map.of("q", "hi"));
        assertThat(future.get(10, TimeUnit.SECONDS)).containsEntry("text", "async answer");

        CompletableFuture<Map<String, Object>> failing = chain.callAsync(Map.of("wrong", "key"));
        assertThatThrownBy(() -> failing.join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ChainInputException.class);
    }
}
