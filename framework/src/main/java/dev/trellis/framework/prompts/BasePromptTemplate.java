package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.ChatMessage;

import java.util.List;
import java.util.Map;

/**
 * What a chain needs from a prompt: the variables it reads and the messages it becomes.
 * Implemented by {@link PromptTemplate} (one user message) and {@link ChatPromptTemplate}.
 */
public interface BasePromptTemplate {

    /** The template's name, used in error messages and traces. */
    String name();

    /** Variables a caller must supply, in order of first appearance; partial variables excluded. */
    List<String> inputVariables();

    /** Variables the template reads when given but does without (optional message placeholders). */
    default List<String> optionalVariables() {
        return List.of();
    }

    /** The messages to send to a chat model. */
    List<ChatMessage> formatMessages(Map<String, ?> values);

    /** A copy of this template with some variables fixed; they leave {@link #inputVariables()}. */
    BasePromptTemplate partial(Map<String, ?> partialVariables);
}
