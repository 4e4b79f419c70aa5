package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Renders chain values and prompts as readable text for the debug log and verbose output. */
final class TraceFormat {

    private TraceFormat() {
    }

    static String messages(List<ChatMessage> messages) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage message : messages) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(message(message));
        }
        return out.toString();
    }

    static String message(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return "System: " + system.text();
        }
        if (message instanceof UserMessage user) {
            return "Human: " + (user.hasSingleText() ? user.singleText() : String.valueOf(user.contents()));
        }
        if (message instanceof AiMessage ai) {
            String text = ai.text() == null ? "" : ai.text();
            return ai.hasToolExecutionRequests() ? "AI: " + text + " " + ai.toolExecutionRequests() : "AI: " + text;
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return "Tool(" + tool.toolName() + "): " + tool.text();
        }
        return String.valueOf(message);
    }

    static String values(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            out.append('"').append(e.getKey()).append("\": ").append(value(e.getValue()));
        }
        return out.append('}').toString();
    }

    private static String value(Object value) {
        if (value instanceof CharSequence s) {
            return '"' + s.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        if (value instanceof ChatMessage m) {
            return '"' + message(m).replace("\n", "\\n") + '"';
        }
        if (value instanceof Collection<?> c) {
            StringBuilder out = new StringBuilder("[");
            for (Object o : c) {
                if (out.length() > 1) {
                    out.append(", ");
                }
                out.append(value(o));
            }
            return out.append(']').toString();
        }
        if (value instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return values(map);
        }
        return String.valueOf(value);
    }

    static String indent(String text, int depth) {
        if (depth == 0) {
            return text;
        }
        String pad = "  ".repeat(depth);
        return pad + text.replace("\n", "\n" + pad);
    }
}
