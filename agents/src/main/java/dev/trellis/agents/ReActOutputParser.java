package dev.trellis.agents;

import dev.trellis.framework.parsers.OutputParser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text ReAct protocol ({@link AgentType#ZERO_SHOT_REACT_DESCRIPTION}), as LangChain's
 * {@code ReActSingleInputOutputParser} / {@code MRKLOutputParser} do: either {@code Action: tool}
 * followed by {@code Action Input: text}, or {@code Final Answer: text}.
 *
 * <p>An answer holding both is read by position, like LangChain: a {@code Final Answer:} written
 * before the action wins (the model answered, then invented a next step), and its text runs to the
 * first blank line; an action followed by a final answer is an {@link AgentOutputParserException},
 * because the model made up the observation in between. An answer with neither is an error too.
 */
public final class ReActOutputParser implements OutputParser<AgentDecision> {

    static final String FINAL_ANSWER = "Final Answer:";

    private static final Pattern ACTION = Pattern.compile(
            "Action\\s*\\d*\\s*:[\\s]*(.*?)[\\s]*Action\\s*\\d*\\s*Input\\s*\\d*\\s*:[\\s]*(.*)", Pattern.DOTALL);
    private static final Pattern ACTION_ONLY = Pattern.compile("Action\\s*\\d*\\s*:[\\s]*(.*?)", Pattern.DOTALL);

    @Override
    public AgentDecision parse(String text) {
        String answer = text == null ? "" : text;
        int finalAt = answer.indexOf(FINAL_ANSWER);
        Matcher action = ACTION.matcher(answer);
        if (action.find()) {
            if (finalAt >= 0 && finalAt < action.start()) {
                int start = finalAt + FINAL_ANSWER.length();
                int end = answer.indexOf("\n\n", start);
                return new AgentFinish(answer.substring(start, end < 0 ? answer.length() : end).strip(), answer);
            }
            if (finalAt >= 0) {
                throw new AgentOutputParserException("Parsing LLM output produced both a final answer and a parse-able "
                        + "action; write either an Action with its Action Input, or only a Final Answer", answer);
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
        if (finalAt >= 0) {
            String output = answer.substring(answer.lastIndexOf(FINAL_ANSWER) + FINAL_ANSWER.length()).strip();
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
