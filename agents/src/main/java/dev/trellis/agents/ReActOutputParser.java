package dev.trellis.agents;

import dev.trellis.framework.parsers.OutputParser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text ReAct protocol ({@link AgentType#ZERO_SHOT_REACT_DESCRIPTION}): either
 * {@code Action: tool} followed by {@code Action Input: text}, or {@code Final Answer: text}.
 * An answer with both, or with neither, is an {@link AgentOutputParserException}.
 */
public final class ReActOutputParser implements OutputParser<AgentDecision> {

    static final String FINAL_ANSWER = "Final Answer:";

    private static final Pattern ACTION = Pattern.compile(
            "Action\\s*\\d*\\s*:[\\s]*(.*?)[\\s]*Action\\s*\\d*\\s*Input\\s*\\d*\\s*:[\\s]*(.*)", Pattern.DOTALL);
    private static final Pattern ACTION_ONLY = Pattern.compile("Action\\s*\\d*\\s*:[\\s]*(.*?)", Pattern.DOTALL);

    @Override
    public AgentDecision parse(String text) {
        String answer = text == null ? "" : text;
        boolean hasFinal = answer.contains(FINAL_ANSWER);
        Matcher action = ACTION.matcher(answer);
        if (action.find()) {
            if (hasFinal) {
                throw new AgentOutputParserException("the answer holds both a Final Answer and an Action; "
                        + "write either an Action with its Action Input, or only a Final Answer", answer);
            }
            String tool = action.group(1).trim();
            String input = action.group(2);
            int observation = input.indexOf("\nObservation");
            if (observation >= 0) {
                input = input.substring(0, observation);
            }
            input = stripQuotes(input.strip());
            if (tool.isEmpty()) {
                throw new AgentOutputParserException("the Action line names no tool", answer);
            }
            return AgentAction.text(tool, input, answer);
        }
        if (hasFinal) {
            String output = answer.substring(answer.indexOf(FINAL_ANSWER) + FINAL_ANSWER.length()).strip();
            return new AgentFinish(output, answer);
        }
        if (!ACTION_ONLY.matcher(answer).find()) {
            throw new AgentOutputParserException("Invalid Format: Missing 'Action:' after 'Thought:'", answer);
        }
        throw new AgentOutputParserException("Invalid Format: Missing 'Action Input:' after 'Action:'", answer);
    }

    @Override
    public String formatInstructions() {
        return AgentPrompts.REACT_FORMAT;
    }

    private static String stripQuotes(String input) {
        if (input.length() >= 2 && input.startsWith("\"") && input.endsWith("\"")) {
            return input.substring(1, input.length() - 1);
        }
        return input;
    }
}
