package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.testing.ScriptedChatModel;

/** Registered in META-INF/services for tests: stands in for finetune's local model provider. */
public class TestLocalModelProvider implements LocalModelProvider {

    static volatile boolean available = true;
    static final ChatModel MODEL = ScriptedChatModel.answering(messages -> "local answer");

    @Override
    public String name() {
        return "test-local";
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    @Override
    public ChatModel create() {
        return MODEL;
    }
}
