package dev.trellis.framework.memory;

import dev.langchain4j.memory.ChatMemory;

import java.util.Map;

/**
 * A langchain4j {@link ChatMemory} with LangChain's memory API on top, so the same object works in
 * Trellis chains ({@code ConversationChain}) and in langchain4j {@code AiServices}.
 */
public interface ConversationMemory extends ChatMemory {

    /** Records one exchange: the human's input and the AI's output. */
    void saveContext(String input, String output);

    /**
     * Records one exchange from a chain's inputs and outputs (LangChain's
     * {@code save_context(inputs, outputs)}): the one input that is neither this memory's key nor
     * {@code stop}, and the one output (or the one named {@code output}).
     *
     * @throws IllegalArgumentException when that input or output is not unique
     */
    default void saveContext(Map<String, ?> inputs, Map<String, ?> outputs) {
        String input = ContextKeys.input(inputs, memoryKey());
        String output = ContextKeys.output(outputs);
        saveContext(String.valueOf(inputs.get(input)), String.valueOf(outputs.get(output)));
    }

    /**
     * The variables a prompt reads: under {@link #memoryKey()} either the "Human: ... / AI: ..."
     * transcript (a String) or, when the memory returns messages, a {@code List<ChatMessage>}.
     */
    Map<String, Object> loadMemoryVariables();

    /** The key {@link #loadMemoryVariables()} uses; {@code history} by default. */
    String memoryKey();

    /** Whether {@link #loadMemoryVariables()} returns messages instead of a transcript. */
    boolean returnMessages();
}
