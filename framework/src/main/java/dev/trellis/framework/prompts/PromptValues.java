package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.List;
import java.util.function.Supplier;

/** How a variable's value becomes prompt text. */
final class PromptValues {

    private PromptValues() {
    }

    /**
     * Strings as they are; a {@code Supplier} (a partial computed at format time, such as today's
     * date) is called; a list of chat messages becomes a "Human: ... / AI: ..." transcript, the way
     * LangChain renders messages into a string prompt; anything else through {@code String.valueOf}.
     */
    static String render(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Supplier<?> supplier) {
            return render(supplier.get());
        }
        if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(ChatMessage.class::isInstance)) {
            StringBuilder out = new StringBuilder();
            for (Object o : list) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(transcriptLine((ChatMessage) o));
            }
            return out.toString();
        }
        return String.valueOf(value);
    }

    /** Python's {@code repr} for {@code !r} fields: strings quoted and escaped, other values as rendered. */
    static String repr(Object value, boolean asciiOnly) {
        if (!(value instanceof String s)) {
            return render(value);
        }
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (asciiOnly && c > 126) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    static String transcriptLine(ChatMessage message) {
        if (message instanceof UserMessage user) {
            return "Human: " + (user.hasSingleText() ? user.singleText() : user.contents().toString());
        }
        if (message instanceof AiMessage ai) {
            return "AI: " + (ai.text() == null ? "" : ai.text());
        }
        if (message instanceof SystemMessage system) {
            return "System: " + system.text();
        }
        return message.type() + ": " + message;
    }
}
