package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.ChatMessage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A slot in a {@link ChatPromptTemplate} filled with a {@code List<ChatMessage>} variable, such as
 * a memory's {@code history} (LangChain's {@code MessagesPlaceholder}).
 */
public final class MessagesPlaceholder implements MessageTemplate {

    private final String variableName;
    private final boolean optional;
    private final int maxMessages;

    private MessagesPlaceholder(String variableName, boolean optional, int maxMessages) {
        if (variableName == null || variableName.isBlank()) {
            throw new PromptTemplateException("MessagesPlaceholder needs a variable name, e.g. \"history\"");
        }
        if (maxMessages < 1) {
            throw new PromptTemplateException("MessagesPlaceholder('" + variableName + "'): maxMessages must be "
                    + "at least 1, got " + maxMessages);
        }
        this.variableName = variableName;
        this.optional = optional;
        this.maxMessages = maxMessages;
    }

    /** A required placeholder: formatting without the variable fails. */
    public static MessagesPlaceholder of(String variableName) {
        return new MessagesPlaceholder(variableName, false, Integer.MAX_VALUE);
    }

    /**
     * A placeholder that formats to no messages when the variable is absent. As in LangChain its
     * variable is not an input variable of the prompt (so a chain over it does not demand it) but
     * one of its {@link ChatPromptTemplate#optionalVariables()}.
     */
    public static MessagesPlaceholder optional(String variableName) {
        return new MessagesPlaceholder(variableName, true, Integer.MAX_VALUE);
    }

    /** This placeholder keeping only the last {@code n} messages (LangChain's {@code n_messages}). */
    public MessagesPlaceholder withMaxMessages(int n) {
        return new MessagesPlaceholder(variableName, optional, n);
    }

    public int maxMessages() {
        return maxMessages;
    }

    public String variableName() {
        return variableName;
    }

    public boolean isOptional() {
        return optional;
    }

    @Override
    public List<String> inputVariables() {
        return optional ? List.of() : List.of(variableName);
    }

    @Override
    public List<String> optionalVariables() {
        return optional ? List.of(variableName) : List.of();
    }

    @Override
    public void formatInto(Map<String, ?> values, Map<String, ?> partials, String promptName, List<ChatMessage> out) {
        Object value = values.containsKey(variableName) ? values.get(variableName) : partials.get(variableName);
        if (value == null) {
            if (optional) {
                return;
            }
            throw new MissingPromptVariableException(promptName, variableName, values.keySet());
        }
        if (!(value instanceof List<?> list)) {
            throw new PromptTemplateException("prompt '" + promptName + "': variable '" + variableName
                    + "' fills a messages placeholder and must be a List<ChatMessage>, but is a "
                    + value.getClass().getName() + "; for a memory, set returnMessages");
        }
        int skip = Math.max(0, list.size() - maxMessages);
        for (Object item : list.subList(skip, list.size())) {
            if (!(item instanceof ChatMessage message)) {
                throw new PromptTemplateException("prompt '" + promptName + "': variable '" + variableName
                        + "' must hold only ChatMessage values, found " + Objects.toString(item));
            }
            out.add(message);
        }
    }

    @Override
    public String toString() {
        return "MessagesPlaceholder(" + variableName + ")";
    }
}
