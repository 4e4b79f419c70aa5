package dev.trellis.framework.memory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModelName;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The course's ConversationSummaryBufferMemory snippet (limit 100, a long schedule as the last
 * answer) with a real tokenizer and a scripted summarizer, and the summary surviving a restart.
 */
class ConversationSummaryBufferMemoryTest {

    private static final OpenAiTokenCountEstimator GPT_35 = new OpenAiTokenCountEstimator(OpenAiChatModelName.GPT_3_5_TURBO);

    /** Our own day plan, long enough that this one answer exceeds 100 tokens. */
    static final String SCHEDULE = "At 8am you have a stand-up with the platform team; bring the slides on the "
            + "storage migration. From 9am to noon there is a focus block for the memory work, which should go "
            + "quickly because the file store is already done. At noon you have lunch at the Thai place on Harbour "
            + "Street with a customer who is driving in from two hours away to hear about local language models. "
            + "Bring your laptop so you can show the finetuning demo. At 3pm the design review for retrieval starts.";

    private static ConversationSummaryBufferMemory.Builder memory(ScriptedChatModel model) {
        return ConversationSummaryBufferMemory.builder().chatModel(model).tokenCountEstimator(GPT_35).maxTokenLimit(100);
    }

    @Test
    void theScheduleOverflowsTheLimitAndEverythingIsFoldedIntoTheSummary() {
        assertThat(GPT_35.estimateTokenCountInMessages(List.of(AiMessage.from(SCHEDULE)))).isGreaterThan(100);
        ScriptedChatModel model = ScriptedChatModel.replying("The human greets the AI and asks for the day's plan: "
                + "a stand-up at 8am, focus work until noon, lunch with a customer, a design review at 3pm.");
        ConversationSummaryBufferMemory memory = memory(model).build();

        memory.saveContext("Hello", "What's up");
        memory.saveContext("Not much, just hanging", "Cool");
        assertThat(model.requests()).isEmpty(); // still under the limit: no summary yet
        assertThat(memory.loadMemoryVariables().get("history"))
                .isEqualTo("Human: Hello\nAI: What's up\nHuman: Not much, just hanging\nAI: Cool");

        memory.saveContext("What is on the schedule today?", SCHEDULE);

        // LangChain pops messages until the buffer fits; the schedule alone does not, so all six go.
        assertThat(model.requests()).hasSize(1);
        String prompt = model.lastPrompt();
        assertThat(prompt).contains("Current summary:\n\n\nNew lines of conversation:\nHuman: Hello\nAI: What's up\n"
                + "Human: Not much, just hanging\nAI: Cool\nHuman: What is on the schedule today?\nAI: " + SCHEDULE
                + "\n\nNew summary:");
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history", "System: The human greets the AI and asks "
                + "for the day's plan: a stand-up at 8am, focus work until noon, lunch with a customer, a design review at 3pm."));
        assertThat(memory.messages()).hasSize(1).first().isInstanceOf(SystemMessage.class);
    }

    @Test
    void theSummaryIsProgressiveAndComesFirstBeforeRecentMessages() {
        ScriptedChatModel model = ScriptedChatModel.replying("S1", "S2");
        ConversationSummaryBufferMemory memory = memory(model).returnMessages(true).build();
        memory.saveContext("What is on the schedule today?", SCHEDULE);
        memory.saveContext("What demo should I show?", "The finetuning demo.");
        assertThat(memory.movingSummaryBuffer()).isEqualTo("S1");
        assertThat(memory.loadMemoryVariables().get("history")).isEqualTo(List.of(SystemMessage.from("S1"),
                UserMessage.from("What demo should I show?"), AiMessage.from("The finetuning demo.")));

        memory.saveContext("And after lunch?", SCHEDULE);
        assertThat(model.lastPrompt()).contains("Current summary:\nS1\n\nNew lines of conversation:\n"
                + "Human: What demo should I show?\nAI: The finetuning demo.\nHuman: And after lunch?\nAI: " + SCHEDULE);
        assertThat(memory.movingSummaryBuffer()).isEqualTo("S2");
    }

    @Test
    void aFailingSummarizerKeepsTheExchangeAndTheNextTurnRetries() {
        int[] calls = {0};
        ScriptedChatModel model = ScriptedChatModel.answering(messages -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("model unavailable");
            }
            return "S";
        });
        ConversationSummaryBufferMemory memory = memory(model).build();
        assertThatThrownBy(() -> memory.saveContext("Plan?", SCHEDULE)).hasMessageContaining("model unavailable");
        assertThat(memory.messages()).containsExactly(UserMessage.from("Plan?"), AiMessage.from(SCHEDULE));

        memory.saveContext("Thanks", "You're welcome");
        assertThat(memory.movingSummaryBuffer()).isEqualTo("S");
        assertThat(model.lastPrompt()).contains("Human: Plan?");
    }

    @Test
    void summarySurvivesARestartThroughTheFileStore(@TempDir Path dir) throws Exception {
        ScriptedChatModel before = ScriptedChatModel.replying("Alice asked for her schedule: stand-up 8am, lunch at noon.");
        ConversationSummaryBufferMemory first = memory(before).id("alice")
                .chatMemoryStore(new FileChatMemoryStore(dir)).build();
        first.add(SystemMessage.from("You are Alice's assistant."));
        first.saveContext("Hello", "What's up");
        first.saveContext("What is on the schedule today?", SCHEDULE);
        first.saveContext("Where is lunch?", "The Thai place on Harbour Street.");
        List<ChatMessage> seenBefore = first.messages();
        first = null; // every object goes: memory, store and model; only the directory stays

        String file = Files.readString(dir.resolve("alice.json"));
        assertThat(file).contains(AbstractConversationMemory.SUMMARY_TAG.strip()).contains("You are Alice's assistant.");

        ScriptedChatModel after = ScriptedChatModel.replying("Alice's day: stand-up 8am, lunch at noon at the Thai "
                + "place on Harbour Street, demo at 2pm.");
        ConversationSummaryBufferMemory reopened = memory(after).id("alice")
                .chatMemoryStore(new FileChatMemoryStore(dir)).build();
        assertThat(reopened.messages()).isEqualTo(seenBefore).containsExactly(
                SystemMessage.from("You are Alice's assistant."),
                SystemMessage.from("Alice asked for her schedule: stand-up 8am, lunch at noon."),
                UserMessage.from("Where is lunch?"), AiMessage.from("The Thai place on Harbour Street."));

        reopened.saveContext("Add a demo at 2pm, and remind me of everything.", SCHEDULE);
        assertThat(after.lastPrompt()).contains("Current summary:\nAlice asked for her schedule: stand-up 8am, lunch at noon.")
                .contains("Human: Where is lunch?");
        assertThat(reopened.loadMemoryVariables().get("history")).isEqualTo("System: You are Alice's assistant.\n"
                + "System: Alice's day: stand-up 8am, lunch at noon at the Thai place on Harbour Street, demo at 2pm.");
        assertThat(new FileChatMemoryStore(dir).getMessages("alice")).hasSize(2);
    }

    @Test
    void countsWithJtokkitForAnOpenAiModelAndFallsBackToGpt2WithAWarningOtherwise() {
        OpenAiChatModel openAi = OpenAiChatModel.builder().apiKey("unused").baseUrl("http://127.0.0.1:9")
                .modelName("gpt-3.5-turbo").build();
        assertThat(new ConversationSummaryBufferMemory(openAi, 100).maxTokenLimit()).isEqualTo(100);

        // An Ollama model through the OpenAI client, and a model that cannot count: LangChain counts with GPT-2.
        OpenAiChatModel ollama = OpenAiChatModel.builder().apiKey("unused").baseUrl("http://127.0.0.1:9")
                .modelName("llama3.1:8b").build();
        String log = capturingStandardError(() -> {
            ConversationSummaryBufferMemory memory = new ConversationSummaryBufferMemory(ollama, 100);
            memory.saveContext("Hi", "Hello there");
            assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history", "Human: Hi\nAI: Hello there"));
            new ConversationSummaryBufferMemory(ScriptedChatModel.replying(), 100);
        });
        assertThat(log).contains("WARN").contains("no tokenizer for model 'llama3.1:8b'")
                .contains("counting tokens approximately with GPT-2's").contains("tokenCountEstimator(")
                .contains(ScriptedChatModel.class.getName());

        assertThatThrownBy(() -> memory(ScriptedChatModel.replying()).summaryPrompt("Summarize {new_lines}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{summary}");
    }

    @Test
    void theGpt2EstimatorCountsTranscriptLines() {
        // "Human: bar" is Human, ":", " bar" in GPT-2's encoding.
        assertThat(ApproximateTokenCountEstimator.GPT2.estimateTokenCountInMessage(UserMessage.from("bar"))).isEqualTo(3);
        assertThat(ApproximateTokenCountEstimator.GPT2.estimateTokenCountInText("hello world")).isEqualTo(2);
    }

    // LangChain's test_summary_buffer_memory_no_buffer_yet and _buffer_only

    @Test
    void summaryBufferMemoryNoBufferYet() {
        ConversationSummaryBufferMemory memory = ConversationSummaryBufferMemory.builder()
                .chatModel(ScriptedChatModel.replying()).memoryKey("baz").build();
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("baz", ""));
    }

    @Test
    void summaryBufferMemoryBufferOnly() {
        ConversationSummaryBufferMemory memory = ConversationSummaryBufferMemory.builder()
                .chatModel(ScriptedChatModel.replying()).memoryKey("baz").build();
        memory.saveContext("bar", "foo");
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("baz", "Human: bar\nAI: foo"));
    }

    private static String capturingStandardError(Runnable work) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
