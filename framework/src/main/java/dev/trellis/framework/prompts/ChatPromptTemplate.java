package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.ChatMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A prompt made of chat messages, like LangChain's {@code ChatPromptTemplate}.
 *
 * <pre>{@code
 * ChatPromptTemplate prompt = ChatPromptTemplate.fromTemplate("Translate to English:\n\n{Review}");
 * ChatPromptTemplate chat = ChatPromptTemplate.fromMessages(
 *         MessagePromptTemplate.system("You are a helpful assistant."),
 *         MessagesPlaceholder.of("history"),
 *         MessagePromptTemplate.user("{input}"));
 * List<ChatMessage> messages = chat.formatMessages(Map.of("history", memoryMessages, "input", "Hi"));
 * }</pre>
 */
public final class ChatPromptTemplate implements BasePromptTemplate {

    private final String name;
    private final List<MessageTemplate> messages;
    private final Map<String, Object> partialVariables;
    private final List<String> inputVariables;
    private final List<String> optionalVariables;

    private ChatPromptTemplate(String name, List<MessageTemplate> messages, Map<String, ?> partialVariables) {
        if (messages.isEmpty()) {
            throw new PromptTemplateException("ChatPromptTemplate needs at least one message");
        }
        this.messages = List.copyOf(messages);
        this.name = name != null ? name : defaultName(this.messages);
        this.partialVariables = Collections.unmodifiableMap(new LinkedHashMap<>(partialVariables));
        Set<String> all = allVariables(this.messages);
        for (String key : partialVariables.keySet()) {
            if (!all.contains(key)) {
                throw new PromptTemplateException("prompt '" + this.name + "': partial variable '" + key
                        + "' is not used by the template; its variables are " + all);
            }
        }
        Set<String> optional = new LinkedHashSet<>();
        for (MessageTemplate message : this.messages) {
            optional.addAll(message.optionalVariables());
        }
        List<String> inputs = new ArrayList<>();
        for (String variable : all) {
            if (!this.partialVariables.containsKey(variable) && !optional.contains(variable)) {
                inputs.add(variable);
            }
        }
        optional.removeAll(inputs); // a variable both required somewhere and optional elsewhere is required
        this.inputVariables = List.copyOf(inputs);
        this.optionalVariables = List.copyOf(optional);
    }

    /** One user message from a template (LangChain's {@code ChatPromptTemplate.from_template}). */
    public static ChatPromptTemplate fromTemplate(String template) {
        return builder().messages(MessagePromptTemplate.user(template)).build();
    }

    /** A named single user message. */
    public static ChatPromptTemplate fromTemplate(String name, String template) {
        return builder().name(name).messages(MessagePromptTemplate.user(template)).build();
    }

    /** Messages in order: system/user/AI templates and placeholders. */
    public static ChatPromptTemplate fromMessages(MessageTemplate... messages) {
        return builder().messages(messages).build();
    }

    public static ChatPromptTemplate fromMessages(List<? extends MessageTemplate> messages) {
        return builder().messages(messages).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<ChatMessage> formatMessages(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        List<ChatMessage> out = new ArrayList<>(messages.size() + 4);
        for (MessageTemplate message : messages) {
            message.formatInto(values, partialVariables, name, out);
        }
        return out;
    }

    /** The formatted messages as one "System: / Human: / AI: ..." text, one message per line (LangChain's {@code format}). */
    public String format(Map<String, ?> values) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage message : formatMessages(values)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(PromptValues.transcriptLine(message));
        }
        return out.toString();
    }

    @Override
    public ChatPromptTemplate partial(Map<String, ?> values) {
        Map<String, Object> merged = new LinkedHashMap<>(partialVariables);
        merged.putAll(values);
        return new ChatPromptTemplate(name, messages, merged);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> inputVariables() {
        return inputVariables;
    }

    /**
     * Variables the prompt reads when given but does without: those of optional
     * {@link MessagesPlaceholder}s (LangChain's {@code optional_variables}).
     */
    @Override
    public List<String> optionalVariables() {
        return optionalVariables;
    }

    /** The message templates, in order. */
    public List<MessageTemplate> messages() {
        return messages;
    }

    public Map<String, Object> partialVariables() {
        return partialVariables;
    }

    @Override
    public String toString() {
        return "ChatPromptTemplate[" + name + ", inputVariables=" + inputVariables + "]";
    }

    private static Set<String> allVariables(List<MessageTemplate> messages) {
        Set<String> all = new LinkedHashSet<>();
        for (MessageTemplate message : messages) {
            all.addAll(message.inputVariables());
            all.addAll(message.optionalVariables());
        }
        return all;
    }

    private static String defaultName(List<MessageTemplate> messages) {
        for (MessageTemplate message : messages) {
            if (message instanceof MessagePromptTemplate m && m.role() == MessagePromptTemplate.Role.USER) {
                return PromptTemplate.defaultName(m.template());
            }
        }
        return messages.get(0) instanceof MessagePromptTemplate m
                ? PromptTemplate.defaultName(m.template()) : messages.get(0).toString();
    }

    /** Builds a {@link ChatPromptTemplate}. */
    public static final class Builder {
        private String name;
        private final List<MessageTemplate> messages = new ArrayList<>();
        private final Map<String, Object> partialVariables = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder messages(MessageTemplate... messages) {
            return messages(List.of(messages));
        }

        public Builder messages(List<? extends MessageTemplate> messages) {
            this.messages.addAll(messages);
            return this;
        }

        public Builder partialVariables(Map<String, ?> partialVariables) {
            this.partialVariables.putAll(partialVariables);
            return this;
        }

        public ChatPromptTemplate build() {
            return new ChatPromptTemplate(name, messages, partialVariables);
        }
    }
}
