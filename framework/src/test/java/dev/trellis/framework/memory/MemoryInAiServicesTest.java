package dev.trellis.framework.memory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModelName;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import dev.langchain4j.service.AiServices;
import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Trellis memories as the ChatMemory of langchain4j AiServices, with a scripted model. */
class MemoryInAiServicesTest {

    interface Assistant {
        String chat(String message);
    }

    interface TerseAssistant {
        @dev.langchain4j.service.SystemMessage("Answer in one sentence.")
        String chat(String message);
    }

    private static ScriptedChatModel numberedAnswers() {
        AtomicInteger n = new AtomicInteger();
        return ScriptedChatModel.answering(messages -> "answer " + n.incrementAndGet());
    }

    @Test
    void bufferMemoryCarriesTheConversationAcrossCalls() {
        ScriptedChatModel model = numberedAnswers();
        ConversationBufferMemory memory = new ConversationBufferMemory();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).chatMemory(memory).build();

        assertThat(assistant.chat("Hi, my name is Andrew")).isEqualTo("answer 1");
        assertThat(assistant.chat("What is my name?")).isEqualTo("answer 2");

        assertThat(model.requests().get(1).messages()).containsExactly(UserMessage.from("Hi, my name is Andrew"),
                AiMessage.from("answer 1"), UserMessage.from("What is my name?"));
        assertThat(memory.loadMemoryVariables().get("history")).isEqualTo(
                "Human: Hi, my name is Andrew\nAI: answer 1\nHuman: What is my name?\nAI: answer 2");
    }

    @Test
    void windowMemoryShowsTheModelTheLastExchangeAndTheNewQuestion() {
        ScriptedChatModel model = numberedAnswers();
        ConversationBufferWindowMemory memory = new ConversationBufferWindowMemory(1);
        TerseAssistant assistant = AiServices.builder(TerseAssistant.class).chatModel(model).chatMemory(memory).build();

        assistant.chat("one");
        assistant.chat("two");
        assistant.chat("three");

        assertThat(model.requests().get(2).messages()).containsExactly(SystemMessage.from("Answer in one sentence."),
                UserMessage.from("two"), AiMessage.from("answer 2"), UserMessage.from("three"));
    }

    @Test
    void summaryBufferMemorySummarizesWithTheSameModelAndPersists(@TempDir Path dir) {
        AtomicInteger summaries = new AtomicInteger();
        ScriptedChatModel model = ScriptedChatModel.answering(messages -> {
            String last = ((UserMessage) messages.get(messages.size() - 1)).singleText();
            if (last.startsWith("You keep a running summary")) {
                return "summary " + summaries.incrementAndGet();
            }
            return "A fairly long answer that uses up a good part of the token budget of this memory, " + last;
        });
        ConversationSummaryBufferMemory memory = ConversationSummaryBufferMemory.builder()
                .chatModel(model).maxTokenLimit(60).id("user-7")
                .tokenCountEstimator(new OpenAiTokenCountEstimator(OpenAiChatModelName.GPT_3_5_TURBO))
                .chatMemoryStore(new FileChatMemoryStore(dir)).build();
        TerseAssistant assistant = AiServices.builder(TerseAssistant.class).chatModel(model).chatMemory(memory).build();

        assistant.chat("first question");
        assistant.chat("second question");
        assistant.chat("third question");

        assertThat(summaries.get()).isPositive();
        List<ChatMessage> lastPrompt = model.requests().get(model.requests().size() - 1).messages();
        if (((UserMessage) lastPrompt.get(lastPrompt.size() - 1)).singleText().startsWith("You keep")) {
            lastPrompt = model.requests().get(model.requests().size() - 2).messages();
        }
        assertThat(lastPrompt.get(0)).isEqualTo(SystemMessage.from("Answer in one sentence."));
        assertThat(lastPrompt.get(1)).isInstanceOf(SystemMessage.class);
        assertThat(((SystemMessage) lastPrompt.get(1)).text()).startsWith("summary ");
        assertThat(lastPrompt.get(lastPrompt.size() - 1)).isEqualTo(UserMessage.from("third question"));

        ConversationSummaryBufferMemory reopened = ConversationSummaryBufferMemory.builder()
                .chatModel(model).maxTokenLimit(60).id("user-7")
                .tokenCountEstimator(new OpenAiTokenCountEstimator(OpenAiChatModelName.GPT_3_5_TURBO))
                .chatMemoryStore(new FileChatMemoryStore(dir)).build();
        assertThat(reopened.movingSummaryBuffer()).isEqualTo("summary " + summaries.get());
        assertThat(reopened.messages()).isEqualTo(memory.messages());
    }
}
