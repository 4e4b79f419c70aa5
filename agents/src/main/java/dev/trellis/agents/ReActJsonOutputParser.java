package dev.trellis.agents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.framework.parsers.JsonMarkdown;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.parsers.OutputParserException;

import java.util.Map;

/**
 * Reads the chat ReAct protocol ({@link AgentType#CHAT_ZERO_SHOT_REACT_DESCRIPTION}): an action is
 * a JSON blob {@code {"action": "tool", "action_input": ...}} in a markdown code block, the
 * answer is the text after {@code Final Answer:}. A text {@code action_input} goes to the tool's
 * {@code run}, an object to its {@code runJson}.
 *
 * <p>An answer holding both is read by position, as the text parser does: a final answer before
 * the blob wins (its text runs to the first blank line), a blob before a final answer is an error.
 */
public final class ReActJsonOutputParser implements OutputParser<AgentDecision> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public AgentDecision parse(String text) {
        String answer = text == null ? "" : text;
        boolean hasFinal = answer.contains(ReActOutputParser.FINAL_ANSWER);
        boolean looksLikeAction = answer.contains("```") || answer.contains("\"action\"");
        if (looksLikeAction) {
            Map<String, Object> blob = null;
            try {
                blob = JsonMarkdown.parse(answer);
            } catch (OutputParserException e) {
                if (!hasFinal) {
                    throw new AgentOutputParserException("the action blob is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                            + "); write it as {\"action\": \"tool name\", \"action_input\": \"input\"} in a ```json code block", answer);
                }
            }
            if (blob != null && blob.containsKey("action")) {
                if (hasFinal) {
                    int finalAt = answer.indexOf(ReActOutputParser.FINAL_ANSWER);
                    int blobAt = answer.indexOf("```");
                    if (blobAt < 0) {
                        blobAt = answer.indexOf('{');
                    }
                    if (finalAt < blobAt) {
                        int start = finalAt + ReActOutputParser.FINAL_ANSWER.length();
                        int end = answer.indexOf("\n\n", start);
                        return new AgentFinish(answer.substring(start, end < 0 ? answer.length() : end).strip(), answer);
                    }
                    throw new AgentOutputParserException("Parsing LLM output produced both a final answer and a "
                            + "parse-able action; write either one action or only a Final Answer", answer);
                }
                Object tool = blob.get("action");
                if (!(tool instanceof String name) || name.isBlank()) {
                    throw new AgentOutputParserException("\"action\" must be a tool name, got " + tool, answer);
                }
                Object input = blob.get("action_input");
                if (input instanceof Map<?, ?> || input instanceof Iterable<?>) {
                    return AgentAction.json(name.trim(), toJson(input, answer), answer);
                }
                return AgentAction.text(name.trim(), input == null ? "" : input.toString(), answer);
            }
            if (blob != null && !hasFinal) {
                throw new AgentOutputParserException("the JSON blob has no \"action\" key; found " + blob.keySet(), answer);
            }
        }
        if (hasFinal) {
            String output = answer.substring(answer.lastIndexOf(ReActOutputParser.FINAL_ANSWER)
                    + ReActOutputParser.FINAL_ANSWER.length()).strip();
            return new AgentFinish(output, answer);
        }
        throw new AgentOutputParserException("found neither an action blob in a ``` code block nor a Final Answer", answer);
    }

    @Override
    public String formatInstructions() {
        return AgentPrompts.REACT_JSON_FORMAT;
    }

    private static String toJson(Object value, String answer) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new AgentOutputParserException("action_input cannot be written back as JSON: " + e.getOriginalMessage(), answer);
        }
    }
}
