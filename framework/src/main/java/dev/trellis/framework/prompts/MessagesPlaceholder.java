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

    private MessagesPlaceholder(String variableName, boolean optional) {
        if (variableName == null || variableName.isBlank()) {
            throw new PromptTemplateException("MessagesPlaceholder needs a variable name, e.g. \"history\"");
        }
        this.variableName = variableName;
        this.optional = optional;
    }

    /** A required placeholder: formatting without the variable fails. */
    public static MessagesPlaceholder of(String variableName) {
        return new MessagesPlaceholder(variableName, false);
    }

    /** A placeholder that formats to no messages when the variable is absent. */
    public static MessagesPlaceholder optional(String variableName) {
        return new MessagesPlaceholder(variableName, true);
    }

    public String variableName() {
        return variableName;
    }

    public boolean isOptional() {
        return optional;
    }

    @Override
    public List<String> inputVariables() {
        return List.of(variableName);
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
        for (Object item : list) {
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
