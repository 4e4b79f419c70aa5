package com.example.chatbot;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.memory.ChatTranscript;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finetuning data for the local fallback model: the default conversation and some small talk,
 * every turn written as the prompt {@link ConversationChain} sends (its preamble, the transcript so
 * far as the memory renders it, the new message), so the model learns this format. One small-talk
 * turn is held out: the model is scored on it, not trained on it.
 */
final class ChatData {

    private ChatData() {
    }

    static InstructionDataset of() {
        List<InstructionExample> examples = new ArrayList<>();
        List<List<String[]>> conversations = List.of(
                List.of(new String[] {"Hi, my name is Andrew.", "Hello Andrew, nice to meet you! How can I help?"},
                        new String[] {"What is 1 + 1?", "1 + 1 is 2."},
                        new String[] {"What is my name?", "Your name is Andrew."},
                        new String[] {"Thank you, bye!", "You are welcome, Andrew. Goodbye!"}),
                List.of(new String[] {"Hello!", "Hello! How can I help you today?"},
                        new String[] {"What is 2 + 2?", "2 + 2 is 4."},
                        new String[] {"What can you do?", "I can chat with you and remember what you told me."}),
                List.of(new String[] {"Good morning.", "Good morning! How can I help you today?"},
                        new String[] {"What is 3 + 4?", "3 + 4 is 7."}));
        for (List<String[]> turns : conversations) {
            boolean heldOut = turns == conversations.get(conversations.size() - 1);
            Map<String, String> split = Map.of("split", heldOut ? "test" : "train");
            List<ChatMessage> history = new ArrayList<>();
            for (String[] turn : turns) {
                String prompt = ConversationChain.DEFAULT_PROMPT.format(
                        Map.of("history", ChatTranscript.bufferString(history), "input", turn[0]));
                examples.add(new InstructionExample(examples.size(), prompt, "", turn[1], split));
                history.add(UserMessage.from(turn[0]));
                history.add(AiMessage.from(turn[1]));
            }
        }
        return InstructionDataset.of("conversation turns", FieldMapping.QUESTION_ANSWER, examples);
    }
}
