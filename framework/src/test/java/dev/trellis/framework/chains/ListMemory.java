package dev.trellis.framework.chains;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.framework.memory.ConversationMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A minimal buffer memory for chain tests, independent of the real memories' implementation. */
final class ListMemory implements ConversationMemory {

    private final List<ChatMessage> messages = new ArrayList<>();
    private final boolean returnMessages;

    ListMemory(boolean returnMessages) {
        this.returnMessages = returnMessages;
    }

    @Override
    public void saveContext(String input, String output) {
        messages.add(UserMessage.from(input));
        messages.add(AiMessage.from(output));
    }

    @Override
    public Map<String, Object> loadMemoryVariables() {
        if (returnMessages) {
            return Map.of("history", List.copyOf(messages));
        }
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(m instanceof UserMessage u ? "Human: " + u.singleText() : "AI: " + ((AiMessage) m).text());
        }
        return Map.of("history", out.toString());
    }

    @Override
    public String memoryKey() {
        return "history";
    }

    @Override
    public boolean returnMessages() {
        return returnMessages;
    }

    @Override
    public Object id() {
        return "test";
    }

    @Override
    public void add(ChatMessage message) {
        messages.add(message);
    }

    @Override
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void clear() {
        messages.clear();
    }
}
