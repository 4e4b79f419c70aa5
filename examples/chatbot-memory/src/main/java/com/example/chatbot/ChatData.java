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
 * Finetuning data for the local fallback model: short conversations, every turn written as the
 * prompt {@link ConversationChain} sends (its preamble, the transcript so far as the memory renders
 * it, the new message), so the model learns this format and to read a name back from the
 * transcript. The last conversation is held out: the model is scored on it, not trained on it.
 */
final class ChatData {

    private ChatData() {
    }

    static InstructionDataset of() {
        List<InstructionExample> examples = new ArrayList<>();
        List<String> names = List.of("Andrew", "Maria", "Kenji", "Amara", "Lukas", "Priya");
        for (String name : names) {
            Map<String, String> split = Map.of("split", name.equals(names.get(names.size() - 1)) ? "test" : "train");
            List<String[]> turns = List.of(
                    new String[] {"Hi, my name is " + name + ".", "Hello " + name + ", nice to meet you! How can I help?"},
                    new String[] {"What is 1 + 1?", "1 + 1 is 2."},
                    new String[] {"What is my name?", "Your name is " + name + "."},
                    new String[] {"Thank you, bye!", "You are welcome, " + name + ". Goodbye!"});
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
