package dev.trellis.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.tokenizer.TokenizerTokenCountEstimator;

/**
 * How {@link LocalChatModel} turns chat messages into the single prompt its model was trained on.
 *
 * <p>A finetuned model knows one format: the {@link InstructionTemplate} recorded in
 * {@code trellis.json} (by default {@code ### Question:\n{question}\n\n### Answer:\n}). Everything
 * goes into the question slot:
 * <ol>
 *   <li>system messages' text, first;</li>
 *   <li>the earlier turns, one line each: {@code User: ...}, {@code Assistant: ...},
 *       {@code Assistant called <tool> with <arguments>}, {@code Tool <name> returned: ...}, under
 *       {@code Conversation so far:};</li>
 *   <li>the last user message's text, unchanged;</li>
 *   <li>tool calls and results that came after it (lines as above);</li>
 *   <li>with tools offered, a list of them and the JSON reply format.</li>
 * </ol>
 * Sections are separated by a blank line. A single user message alone is the question exactly, so
 * a model finetuned on question/answer pairs sees its training format byte for byte.
 */
public final class LocalChatPrompt {

    private final InstructionTemplate template;

    public LocalChatPrompt(InstructionTemplate template) {
        this.template = Objects.requireNonNull(template, "template");
    }

    public InstructionTemplate template() {
        return template;
    }

    /** The full prompt for {@code messages} (and the tools offered, possibly none). */
    public String render(List<ChatMessage> messages, List<ToolSpecification> tools) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        int lastUser = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage) {
                lastUser = i;
                break;
            }
        }
        List<String> system = new ArrayList<>();
        List<String> history = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m instanceof SystemMessage s) {
                system.add(s.text());
            } else if (i < lastUser) {
                history.add(renderMessage(m));
            } else if (i > lastUser) {
                after.add(renderMessage(m));
            }
        }
        List<String> sections = new ArrayList<>();
        if (!system.isEmpty()) {
            sections.add(String.join("\n", system));
        }
        if (!history.isEmpty()) {
            sections.add("Conversation so far:\n" + String.join("\n", history));
        }
        if (lastUser >= 0) {
            sections.add(TokenizerTokenCountEstimator.plainText(messages.get(lastUser)));
        }
        if (!after.isEmpty()) {
            sections.add(String.join("\n", after));
        }
        if (tools != null && !tools.isEmpty()) {
            sections.add(toolsSection(tools));
        }
        return template.format(String.join("\n\n", sections));
    }

    /** One message as a line of the conversation (what the token counter counts, too). */
    public static String renderMessage(ChatMessage message) {
        if (message instanceof UserMessage) {
            return "User: " + TokenizerTokenCountEstimator.plainText(message);
        }
        if (message instanceof AiMessage a) {
            if (a.hasToolExecutionRequests()) {
                return a.toolExecutionRequests().stream()
                        .map(r -> "Assistant called " + r.name() + " with " + r.arguments())
                        .collect(Collectors.joining("\n"));
            }
            return "Assistant: " + (a.text() == null ? "" : a.text());
        }
        if (message instanceof ToolExecutionResultMessage t) {
            return "Tool " + t.toolName() + " returned: " + t.text();
        }
        if (message instanceof SystemMessage s) {
            return s.text();
        }
        return TokenizerTokenCountEstimator.plainText(message);
    }

    private static String toolsSection(List<ToolSpecification> tools) {
        StringBuilder sb = new StringBuilder("You can call these tools:");
        for (ToolSpecification t : tools) {
            sb.append("\n- ").append(t.name());
            if (t.description() != null && !t.description().isBlank()) {
                sb.append(": ").append(t.description());
            }
            if (t.parameters() != null && t.parameters().properties() != null && !t.parameters().properties().isEmpty()) {
                sb.append(" Arguments: ").append(String.join(", ", t.parameters().properties().keySet())).append('.');
            }
        }
        sb.append("\nReply with JSON: {\"tool\": \"<name>\", \"arguments\": {...}} to call a tool, "
                + "or {\"answer\": \"...\"} to answer.");
        return sb.toString();
    }

    /** Text of an assistant turn that called tools, for logs. */
    static String describe(List<ToolExecutionRequest> requests) {
        return requests.stream().map(r -> r.name() + r.arguments()).collect(Collectors.joining(", "));
    }
}
