package dev.trellis.framework.memory;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The course's ConversationBufferMemory snippet, and the langchain4j ChatMemory contract. */
class ConversationBufferMemoryTest {

    @Test
    void remembersEveryExchangeAsTheHumanAiTranscript() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history", ""));

        memory.saveContext("Hi", "What's up");
        memory.saveContext("Not much, just hanging", "Cool");

        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("history",
                "Human: Hi\nAI: What's up\nHuman: Not much, just hanging\nAI: Cool"));
        assertThat(memory.messages()).containsExactly(UserMessage.from("Hi"), AiMessage.from("What's up"),
                UserMessage.from("Not much, just hanging"), AiMessage.from("Cool"));
    }

    @Test
    void returnsMessagesUnderACustomKeyAndPrefixesAreConfigurable() {
        ConversationBufferMemory messages = ConversationBufferMemory.builder()
                .memoryKey("chat_history").returnMessages(true).build();
        messages.saveContext("Hi", "Hello");
        assertThat(messages.loadMemoryVariables())
                .isEqualTo(Map.of("chat_history", List.of(UserMessage.from("Hi"), AiMessage.from("Hello"))));

        ConversationBufferMemory prefixed = ConversationBufferMemory.builder()
                .humanPrefix("Customer").aiPrefix("Agent").build();
        prefixed.saveContext("Where is my parcel?", "On its way.");
        assertThat(prefixed.loadMemoryVariables().get("history"))
                .isEqualTo("Customer: Where is my parcel?\nAgent: On its way.");
    }

    @Test
    void clearForgetsEverything() {
        InMemoryChatMemoryStore store = new InMemoryChatMemoryStore();
        ConversationBufferMemory memory = ConversationBufferMemory.builder().id("u1").chatMemoryStore(store).build();
        memory.saveContext("Hi", "Hello");
        memory.clear();
        assertThat(memory.messages()).isEmpty();
        assertThat(store.getMessages("u1")).isEmpty();
    }

    @Test
    void keepsOneSystemMessageFirstLikeLangchain4j() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        memory.add(UserMessage.from("Hi"));
        memory.add(SystemMessage.from("Be brief."));
        memory.add(AiMessage.from("Hello"));
        memory.add(SystemMessage.from("Be brief.")); // the same again: ignored
        assertThat(memory.messages()).containsExactly(SystemMessage.from("Be brief."),
                UserMessage.from("Hi"), AiMessage.from("Hello"));

        memory.add(SystemMessage.from("Be verbose.")); // a new one replaces it
        assertThat(memory.messages()).containsExactly(SystemMessage.from("Be verbose."),
                UserMessage.from("Hi"), AiMessage.from("Hello"));
        assertThat(memory.loadMemoryVariables().get("history"))
                .isEqualTo("System: Be verbose.\nHuman: Hi\nAI: Hello");
    }

    @Test
    void setReplacesTheMessagesAndSetOfMessagesIsANoOp() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        memory.saveContext("a", "b");
        memory.set(List.<ChatMessage>of(UserMessage.from("x"), AiMessage.from("y")));
        assertThat(memory.messages()).containsExactly(UserMessage.from("x"), AiMessage.from("y"));
        memory.set(memory.messages());
        assertThat(memory.messages()).containsExactly(UserMessage.from("x"), AiMessage.from("y"));
    }

    @Test
    void transcriptShowsToolCallsAndResults() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("1").name("weather").arguments("{\"city\":\"Oslo\"}").build();
        memory.add(UserMessage.from("Weather in Oslo?"));
        memory.add(AiMessage.from(call));
        memory.add(ToolExecutionResultMessage.from(call, "-3C, snow"));
        memory.add(AiMessage.from("Cold and snowy."));
        assertThat(memory.loadMemoryVariables().get("history")).isEqualTo("""
                Human: Weather in Oslo?
                AI: [tool calls: weather({"city":"Oslo"})]
                Tool: -3C, snow
                AI: Cold and snowy.""");
    }

    @Test
    void badInputIsRejectedWithAMessageThatSaysWhatToDo() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        assertThatThrownBy(() -> memory.saveContext("Hi", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output=null").hasMessageContaining("pass \"\"");
        assertThatThrownBy(() -> ConversationBufferMemory.builder().memoryKey(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryKey");
        assertThat(memory.messages()).isEmpty();
    }
}
