package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A templated system, user or AI message (LangChain's {@code SystemMessagePromptTemplate},
 * {@code HumanMessagePromptTemplate}, {@code AIMessagePromptTemplate}).
 */
public final class MessagePromptTemplate implements MessageTemplate {

    /** Who speaks the message. */
    public enum Role { SYSTEM, USER, AI }

    private final Role role;
    private final String template;
    private final ParsedTemplate parsed;

    private MessagePromptTemplate(Role role, String template) {
        this.role = Objects.requireNonNull(role, "role");
        this.template = template;
        this.parsed = ParsedTemplate.parse(role.name().toLowerCase() + " message '"
                + PromptTemplate.defaultName(template) + "'", template);
    }

    public static MessagePromptTemplate system(String template) {
        return new MessagePromptTemplate(Role.SYSTEM, template);
    }

    public static MessagePromptTemplate user(String template) {
        return new MessagePromptTemplate(Role.USER, template);
    }

    public static MessagePromptTemplate ai(String template) {
        return new MessagePromptTemplate(Role.AI, template);
    }

    public Role role() {
        return role;
    }

    public String template() {
        return template;
    }

    @Override
    public List<String> inputVariables() {
        return parsed.variableNames();
    }

    @Override
    public void formatInto(Map<String, ?> values, Map<String, ?> partials, String promptName, List<ChatMessage> out) {
        String text = parsed.format(promptName, values, partials);
        out.add(switch (role) {
            case SYSTEM -> SystemMessage.from(text);
            case USER -> UserMessage.from(text);
            case AI -> AiMessage.from(text);
        });
    }

    @Override
    public String toString() {
        return role + ": " + template;
    }
}
