package dev.trellis.framework.memory;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The course's ConversationBufferWindowMemory(k=1) snippet and the window's edges. */
class ConversationBufferWindowMemoryTest {

    @Test
    void withKOneOnlyTheLastExchangeIsShown() {
        ConversationBufferWindowMemory memory = new ConversationBufferWindowMemory(1);
        memory.saveContext("Hi", "What's up");
        memory.saveContext("Not much, just hanging", "Cool");

        assertThat(memory.loadMemoryVariables())
                .isEqualTo(Map.of("history", "Human: Not much, just hanging\nAI: Cool"));
        assertThat(memory.messages()).hasSize(2);
    }

    @Test
    void kExchangesAre2kMessagesAndKZeroShowsNone() {
        ConversationBufferWindowMemory two = new ConversationBufferWindowMemory(2);
        ConversationBufferWindowMemory zero = new ConversationBufferWindowMemory(0);
        for (int i = 1; i <= 4; i++) {
            two.saveContext("q" + i, "a" + i);
            zero.saveContext("q" + i, "a" + i);
        }
        assertThat(two.loadMemoryVariables().get("history")).isEqualTo("Human: q3\nAI: a3\nHuman: q4\nAI: a4");
        assertThat(zero.loadMemoryVariables().get("history")).isEqualTo("");
        assertThat(zero.messages()).isEmpty();
    }

    @Test
    void aQuestionAwaitingItsAnswerIsShownOnTopOfTheWindow() {
        ConversationBufferWindowMemory memory = new ConversationBufferWindowMemory(0);
        memory.saveContext("q1", "a1");
        memory.add(UserMessage.from("q2")); // what AiServices does before calling the model
        assertThat(memory.messages()).containsExactly(UserMessage.from("q2"));
        memory.add(AiMessage.from("a2"));
        assertThat(memory.messages()).isEmpty();
    }

    @Test
    void toolCallsStayWithTheirTurn() {
        ConversationBufferWindowMemory memory = new ConversationBufferWindowMemory(1);
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("c").name("clock").arguments("{}").build();
        memory.saveContext("q1", "a1");
        memory.add(UserMessage.from("time?"));
        memory.add(AiMessage.from(call));
        memory.add(ToolExecutionResultMessage.from(call, "10:00"));
        memory.add(AiMessage.from("It is ten."));
        assertThat(memory.messages()).containsExactly(UserMessage.from("time?"), AiMessage.from(call),
                ToolExecutionResultMessage.from(call, "10:00"), AiMessage.from("It is ten."));
    }

    @Test
    void storeIsTrimmedToTheWindowUnlessFullHistoryIsKept() {
        InMemoryChatMemoryStore store = new InMemoryChatMemoryStore();
        ConversationBufferWindowMemory trimmed = ConversationBufferWindowMemory.builder()
                .k(1).id("trimmed").chatMemoryStore(store).build();
        ConversationBufferWindowMemory full = ConversationBufferWindowMemory.builder()
                .k(1).keepFullHistory(true).id("full").chatMemoryStore(store).build();
        for (int i = 1; i <= 3; i++) {
            trimmed.saveContext("q" + i, "a" + i);
            full.saveContext("q" + i, "a" + i);
        }
        assertThat(store.getMessages("trimmed")).hasSize(2);
        assertThat(store.getMessages("full")).hasSize(6);
        assertThat(full.loadMemoryVariables()).isEqualTo(trimmed.loadMemoryVariables());
    }

    @Test
    void negativeOrMissingKIsAnError() {
        assertThatThrownBy(() -> new ConversationBufferWindowMemory(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> ConversationBufferWindowMemory.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k(n)");
    }
}
