package dev.trellis.framework.memory;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders messages as the "Human: ... / AI: ..." transcript LangChain puts into prompts
 * ({@code get_buffer_string}): one {@code "<role>: <text>"} line per message, system messages as
 * {@code System}, tool results as {@code Tool}.
 */
public final class ChatTranscript {

    private ChatTranscript() {
    }

    /** The transcript with LangChain's default prefixes, {@code Human} and {@code AI}. */
    public static String bufferString(List<? extends ChatMessage> messages) {
        return bufferString(messages, "Human", "AI");
    }

    public static String bufferString(List<? extends ChatMessage> messages, String humanPrefix, String aiPrefix) {
        Objects.requireNonNull(messages, "messages");
        StringBuilder out = new StringBuilder();
        for (ChatMessage message : messages) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(role(message, humanPrefix, aiPrefix)).append(": ").append(text(message));
        }
        return out.toString();
    }

    private static String role(ChatMessage message, String humanPrefix, String aiPrefix) {
        if (message instanceof UserMessage) {
            return humanPrefix;
        } else if (message instanceof AiMessage) {
            return aiPrefix;
        } else if (message instanceof SystemMessage) {
            return "System";
        } else if (message instanceof ToolExecutionResultMessage) {
            return "Tool";
        }
        return message.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The text of any message; non-text parts appear as {@code [image]} and the like, tool calls inline. */
    static String text(ChatMessage message) {
        if (message instanceof UserMessage user) {
            List<String> parts = new ArrayList<>();
            for (Content content : user.contents()) {
                parts.add(content instanceof TextContent text ? text.text()
                        : "[" + content.type().name().toLowerCase(java.util.Locale.ROOT) + "]");
            }
            return String.join("\n", parts);
        } else if (message instanceof AiMessage ai) {
            String text = ai.text() == null ? "" : ai.text();
            if (ai.hasToolExecutionRequests()) {
                List<String> calls = new ArrayList<>();
                for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
                    calls.add(request.name() + "(" + request.arguments() + ")");
                }
                text = (text.isEmpty() ? "" : text + " ") + "[tool calls: " + String.join(", ", calls) + "]";
            }
            return text;
        } else if (message instanceof SystemMessage system) {
            return system.text();
        } else if (message instanceof ToolExecutionResultMessage result) {
            return result.text();
        } else if (message instanceof CustomMessage custom) {
            return String.valueOf(custom.attributes());
        }
        return message.toString();
    }
}
