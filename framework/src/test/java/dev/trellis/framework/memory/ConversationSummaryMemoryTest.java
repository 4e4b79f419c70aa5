package dev.trellis.framework.memory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConversationSummaryMemoryTest {

    @Test
    void everyTurnIsFoldedIntoTheRunningSummary() {
        ScriptedChatModel model = ScriptedChatModel.replying("The human says hi.", "The human says hi and asks the time; it is ten.");
        ConversationSummaryMemory memory = new ConversationSummaryMemory(model);
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history", ""));

        memory.saveContext("Hi", "Hello!");
        assertThat(model.lastPrompt()).contains("Current summary:\n\n\nNew lines of conversation:\nHuman: Hi\nAI: Hello!");
        memory.saveContext("What time is it?", "Ten o'clock.");
        assertThat(model.lastPrompt()).contains("Current summary:\nThe human says hi.\n\nNew lines of conversation:\n"
                + "Human: What time is it?\nAI: Ten o'clock.");

        assertThat(memory.loadMemoryVariables())
                .isEqualTo(Map.of("history", "The human says hi and asks the time; it is ten."));
        assertThat(memory.buffer()).isEqualTo("The human says hi and asks the time; it is ten.");
    }

    @Test
    void aPendingQuestionFollowsTheSummaryUntilAnswered() {
        ConversationSummaryMemory memory = ConversationSummaryMemory.builder()
                .chatModel(ScriptedChatModel.replying("S1")).returnMessages(true).build();
        memory.saveContext("Hi", "Hello!");
        memory.add(UserMessage.from("Next?"));
        assertThat(memory.loadMemoryVariables().get("history"))
                .isEqualTo(List.of(SystemMessage.from("S1"), UserMessage.from("Next?")));
    }

    @Test
    void theMessagesAreKeptAndTheSummaryIsLoaded() {
        ScriptedChatModel model = ScriptedChatModel.replying("S1", "S2");
        InMemoryChatMemoryStore store = new InMemoryChatMemoryStore();
        ConversationSummaryMemory memory = ConversationSummaryMemory.builder().chatModel(model)
                .chatMemoryStore(store).build();
        memory.saveContext("Hi", "Hello!");
        memory.saveContext("Time?", "Ten.");
        assertThat(memory.chatMessages()).containsExactly(UserMessage.from("Hi"), AiMessage.from("Hello!"),
                UserMessage.from("Time?"), AiMessage.from("Ten."));
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history", "S2"));
        assertThat(memory.messages()).containsExactly(SystemMessage.from("S2"));
        // the second summary saw only the new lines
        assertThat(model.lastPrompt()).contains("Current summary:\nS1\n\nNew lines of conversation:\nHuman: Time?\nAI: Ten.\n");

        // a restarted process reading the same store continues where it stopped
        ScriptedChatModel next = ScriptedChatModel.replying("S3");
        ConversationSummaryMemory restarted = ConversationSummaryMemory.builder().chatModel(next).chatMemoryStore(store).build();
        assertThat(restarted.buffer()).isEqualTo("S2");
        restarted.saveContext("Bye", "Bye!");
        assertThat(next.lastPrompt()).contains("New lines of conversation:\nHuman: Bye\nAI: Bye!\n");
        assertThat(restarted.chatMessages()).hasSize(6);
        restarted.set(restarted.messages());
        assertThat(restarted.chatMessages()).hasSize(6);
        assertThat(restarted.loadMemoryVariables()).isEqualTo(Map.of("history", "S3"));
    }
}
