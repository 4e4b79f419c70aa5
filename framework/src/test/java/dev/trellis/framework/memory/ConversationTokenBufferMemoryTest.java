package dev.trellis.framework.memory;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModelName;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The course's ConversationTokenBufferMemory snippet with a real tokenizer (jtokkit through
 * langchain4j's OpenAiTokenCountEstimator, offline).
 */
class ConversationTokenBufferMemoryTest {

    private static final OpenAiTokenCountEstimator GPT_35 = new OpenAiTokenCountEstimator(OpenAiChatModelName.GPT_3_5_TURBO);

    private static void saveTheCourseExchanges(ConversationTokenBufferMemory memory) {
        memory.saveContext("AI is what?!", "Amazing!");
        memory.saveContext("Backpropagation is what?", "Beautiful!");
        memory.saveContext("Chatbots are what?", "Charming!");
    }

    @Test
    void theTokenizerCountsTheExchangesAsOpenAiDoes() {
        // Per message: 3 framing tokens + role + content; plus 3 priming the reply (OpenAI's cookbook rule).
        List<ChatMessage> all = List.of(UserMessage.from("AI is what?!"), AiMessage.from("Amazing!"),
                UserMessage.from("Backpropagation is what?"), AiMessage.from("Beautiful!"),
                UserMessage.from("Chatbots are what?"), AiMessage.from("Charming!"));
        assertThat(all).extracting(GPT_35::estimateTokenCountInMessage).containsExactly(8, 6, 10, 6, 9, 7);
        assertThat(GPT_35.estimateTokenCountInMessages(all)).isEqualTo(49);
    }

    @Test
    void limitFiftyKeepsAllSixMessagesBecauseTheyCount49Tokens() {
        ConversationTokenBufferMemory memory = new ConversationTokenBufferMemory(GPT_35, 50);
        saveTheCourseExchanges(memory);
        assertThat(memory.loadMemoryVariables().get("history")).isEqualTo("""
                Human: AI is what?!
                AI: Amazing!
                Human: Backpropagation is what?
                AI: Beautiful!
                Human: Chatbots are what?
                AI: Charming!""");
    }

    @Test
    void aTighterLimitDropsTheOldestMessagesOneByOne() {
        ConversationTokenBufferMemory memory = new ConversationTokenBufferMemory(GPT_35, 30);
        saveTheCourseExchanges(memory);
        // 49 -> 41 -> 35 -> 25 tokens: three messages dropped, cutting through an exchange as LangChain does.
        assertThat(memory.loadMemoryVariables().get("history"))
                .isEqualTo("AI: Beautiful!\nHuman: Chatbots are what?\nAI: Charming!");
        assertThat(GPT_35.estimateTokenCountInMessages(memory.messages())).isEqualTo(25);
    }

    @Test
    void pruningHappensAfterEachSave() {
        ConversationTokenBufferMemory memory = new ConversationTokenBufferMemory(GPT_35, 20);
        memory.saveContext("AI is what?!", "Amazing!"); // 8 + 6 + 3 = 17: kept
        assertThat(memory.messages()).hasSize(2);
        memory.saveContext("Backpropagation is what?", "Beautiful!"); // 6 + 10 + 6 + 3 = 25 > 20 after dropping 8
        assertThat(memory.messages()).containsExactly(
                UserMessage.from("Backpropagation is what?"), AiMessage.from("Beautiful!"));
    }

    @Test
    void evictionNeverLeavesAToolResultWithoutItsRequest() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("c1").name("lookup").arguments("{\"q\":\"x\"}").build();
        ToolExecutionResultMessage result = ToolExecutionResultMessage.from(call, "x is a letter of the Latin alphabet");
        AiMessage answer = AiMessage.from("x is a letter.");
        // A limit that the result and the answer alone fit: plain oldest-first eviction would stop there.
        int limit = GPT_35.estimateTokenCountInMessages(List.of(result, answer));
        ConversationTokenBufferMemory memory = new ConversationTokenBufferMemory(GPT_35, limit);
        memory.add(UserMessage.from("Find x for me please, it matters"));
        memory.add(AiMessage.from(call));
        memory.add(result);
        memory.add(answer);
        assertThat(memory.messages()).containsExactly(answer);
    }
}
