package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.ChatMessage;

import java.util.List;
import java.util.Map;

/** One entry of a {@link ChatPromptTemplate}: a templated message or a {@link MessagesPlaceholder}. */
public sealed interface MessageTemplate permits MessagePromptTemplate, MessagesPlaceholder {

    /** Variables this entry needs, in order of first appearance. */
    List<String> inputVariables();

    /** Variables this entry reads when given but does without (an optional placeholder's). */
    default List<String> optionalVariables() {
        return List.of();
    }

    /** Appends this entry's messages to {@code out}. */
    void formatInto(Map<String, ?> values, Map<String, ?> partials, String promptName, List<ChatMessage> out);
}
