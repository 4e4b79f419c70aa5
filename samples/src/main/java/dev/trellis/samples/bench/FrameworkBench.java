package dev.trellis.samples.bench;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.SequentialChain;
import dev.trellis.framework.chains.router.MultiPromptChain;
import dev.trellis.framework.chains.router.PromptInfo;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.framework.memory.ConversationBufferWindowMemory;
import dev.trellis.framework.memory.ConversationMemory;
import dev.trellis.framework.memory.ConversationTokenBufferMemory;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code trellis bench framework}: what prompts, chains and memories cost per model call, measured with an
 * instant model (it returns a prebuilt answer), against calling that model directly.
 * Target: under 0.2 ms of overhead per model call.
 */
@Command(name = "framework", mixinStandardHelpOptions = true,
        description = "Prompt, chain and memory overhead per model call with an instant model, against calling the model directly.")
public final class FrameworkBench implements Runnable {

    @Option(names = "--seconds", description = "Measuring time per round and row (default: ${DEFAULT-VALUE}).")
    double seconds = 0.5;

    @Option(names = "--rounds", description = "Rounds per row; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    /** Keeps results alive so the JIT cannot drop the work. */
    private long sink;

    /** A model that answers instantly with a fixed text: only the framework's cost remains. */
    static final class InstantChatModel implements ChatModel {
        private final ChatResponse response;

        InstantChatModel(String answer) {
            this.response = ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            return response;
        }
    }

    private static final int TURNS_PER_CONVERSATION = 10;

    private record Row(String name, int modelCalls, IntSupplier body) {
    }

    @Override
    public void run() {
        String routerAnswer = "```json\n{\"destination\": \"math\", \"next_inputs\": \"what is 2 + 2\"}\n```";
        ChatModel llm = new InstantChatModel(routerAnswer);
        String product = "Queen Size Sheet Set";
        String namePrompt = "What is the best name to describe a company that makes " + product + "?";

        ChatPromptTemplate nameTemplate = ChatPromptTemplate.fromTemplate(
                "What is the best name to describe a company that makes {product}?");
        PromptTemplate stringTemplate = PromptTemplate.fromTemplate(
                "What is the best name to describe a company that makes {product}?");
        LlmChain nameChain = new LlmChain(llm, nameTemplate);
        LlmChain tracedChain = LlmChain.builder().llm(llm).prompt(nameTemplate)
                .listener(new ChainListener() {
                    @Override
                    public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
                        sink += messages.size();
                    }
                }).build();
        SequentialChain fourSteps = SequentialChain.builder().chains(
                        LlmChain.builder().llm(llm).outputKey("English_Review").prompt(ChatPromptTemplate.fromTemplate(
                                "Translate the following review to english:\n\n{Review}")).build(),
                        LlmChain.builder().llm(llm).outputKey("summary").prompt(ChatPromptTemplate.fromTemplate(
                                "Can you summarize the following review in 1 sentence:\n\n{English_Review}")).build(),
                        LlmChain.builder().llm(llm).outputKey("language").prompt(ChatPromptTemplate.fromTemplate(
                                "What language is the following review:\n\n{Review}")).build(),
                        LlmChain.builder().llm(llm).outputKey("followup_message").prompt(ChatPromptTemplate.fromTemplate(
                                "Write a follow up response to the following summary in the specified language:"
                                        + "\n\nSummary: {summary}\n\nLanguage: {language}")).build())
                .inputVariables("Review").outputVariables("English_Review", "summary", "followup_message").build();
        MultiPromptChain router = MultiPromptChain.fromPrompts(llm, List.of(
                new PromptInfo("physics", "Good for answering questions about physics", "Physics question:\n{input}"),
                new PromptInfo("math", "Good for answering math questions", "Math question:\n{input}")));
        String review = "Je trouve le goût médiocre. La mousse ne tient pas, c'est bizarre.";
        Map<String, Object> productInput = Map.of("product", product);

        List<Row> rows = List.of(
                new Row("model.chat(UserMessage) directly (baseline)", 1,
                        () -> llm.chat(List.of((ChatMessage) UserMessage.from(namePrompt))).aiMessage().text().length()),
                new Row("PromptTemplate.format + model.chat", 1,
                        () -> llm.chat(List.of((ChatMessage) UserMessage.from(stringTemplate.format(productInput))))
                                .aiMessage().text().length()),
                new Row("ChatPromptTemplate.formatMessages + model.chat", 1,
                        () -> llm.chat(nameTemplate.formatMessages(productInput)).aiMessage().text().length()),
                new Row("LlmChain.run", 1, () -> nameChain.run(product).length()),
                new Row("LlmChain.run with a listener", 1, () -> tracedChain.run(product).length()),
                new Row("SequentialChain, 4 LlmChains (per model call)", 4,
                        () -> fourSteps.call(review).size()),
                new Row("MultiPromptChain: router + destination (per model call)", 2,
                        () -> router.run("what is 2 + 2").length()),
                conversationRow("ConversationChain + ConversationBufferMemory", llm, new ConversationBufferMemory()),
                conversationRow("ConversationChain + ConversationBufferWindowMemory(k=3)", llm,
                        new ConversationBufferWindowMemory(3)),
                conversationRow("ConversationChain + ConversationTokenBufferMemory(100)", llm,
                        new ConversationTokenBufferMemory(new OpenAiTokenCountEstimator("gpt-4o-mini"), 100))
        );

        System.out.printf(Locale.ROOT, "trellis bench framework: instant model, %d rounds x %.2f s per row, median%n%n",
                rounds, seconds);
        System.out.printf(Locale.ROOT, "%-58s %14s %16s %8s%n", "row", "us/model call", "overhead us", "ratio");
        double baseline = Double.NaN;
        double worstOverhead = 0;
        double worstMicros = 0;
        Map<String, Double> figures = new LinkedHashMap<>();
        for (Row row : rows) {
            double micros = measure(row) / row.modelCalls();
            if (Double.isNaN(baseline)) {
                baseline = micros;
            }
            double overhead = micros - baseline;
            if (overhead > worstOverhead) {
                worstOverhead = overhead;
                worstMicros = micros;
            }
            figures.put(row.name(), micros);
            System.out.printf(Locale.ROOT, "%-58s %14.3f %16.3f %8.2f%n", row.name(), micros, overhead, micros / baseline);
        }
        System.out.printf(Locale.ROOT, "%nworst overhead: %.4f ms per model call (target < 0.2 ms): %s%n",
                worstOverhead / 1000, worstOverhead / 1000 < 0.2 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "{\"bench\":\"framework\",\"unit\":\"ms per model call\",\"baseline\":%.6f,"
                        + "\"ours\":%.6f,\"ratio\":%.3f,\"overhead_ms\":%.6f,\"target_overhead_ms\":0.2,"
                        + "\"llm_chain_ms\":%.6f,\"sequential_chain_ms\":%.6f,\"router_ms\":%.6f,"
                        + "\"buffer_memory_ms\":%.6f,\"window_memory_ms\":%.6f,\"token_memory_ms\":%.6f,\"sink\":%d}%n",
                baseline / 1000, worstMicros / 1000, worstMicros / baseline, worstOverhead / 1000,
                figures.get("LlmChain.run") / 1000,
                figures.get("SequentialChain, 4 LlmChains (per model call)") / 1000,
                figures.get("MultiPromptChain: router + destination (per model call)") / 1000,
                figures.get("ConversationChain + ConversationBufferMemory") / 1000,
                figures.get("ConversationChain + ConversationBufferWindowMemory(k=3)") / 1000,
                figures.get("ConversationChain + ConversationTokenBufferMemory(100)") / 1000, sink % 10);
    }

    /**
     * One conversation turn (load history, format, call, save the exchange). Conversations restart
     * every {@value #TURNS_PER_CONVERSATION} turns so the buffer memory measures a realistic history
     * instead of one that grows for millions of turns.
     */
    private static Row conversationRow(String name, ChatModel llm, ConversationMemory memory) {
        ConversationChain conversation = new ConversationChain(llm, memory);
        int[] turn = {0};
        return new Row(name, 1, () -> {
            if (++turn[0] % TURNS_PER_CONVERSATION == 0) {
                memory.clear();
            }
            return conversation.predict("What is 1+1? Answer in one word, please.").length();
        });
    }

    /** Median microseconds per call of the row's body over several timed rounds, after a warm-up. */
    private double measure(Row row) {
        // Warm up long enough for the JIT to settle on the row's whole call path.
        long warmupEnd = System.nanoTime() + (long) (Math.max(1.5, 3 * seconds) * 1e9);
        while (System.nanoTime() < warmupEnd) {
            for (int i = 0; i < 1000; i++) {
                sink += row.body().getAsInt();
            }
        }
        double[] results = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long calls = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            do {
                for (int i = 0; i < 1000; i++) {
                    sink += row.body().getAsInt();
                }
                calls += 1000;
                now = System.nanoTime();
            } while (now < end);
            results[r] = (now - start) / 1e3 / calls;
        }
        Arrays.sort(results);
        return results[rounds / 2];
    }
}
