package dev.trellis.agents;

import java.util.Objects;

/**
 * A tool call the model asked for (LangChain's {@code AgentAction}).
 *
 * @param tool          the tool's name as the model wrote it
 * @param toolInput     the input: text for a text ReAct action, JSON arguments when {@code jsonArguments}
 * @param log           the model's text that produced this action (its thought)
 * @param toolCallId    the id of a native tool call, {@code null} for text agents
 * @param jsonArguments whether {@code toolInput} is a JSON object of arguments rather than text
 */
public record AgentAction(String tool, String toolInput, String log, String toolCallId, boolean jsonArguments)
        implements AgentDecision {

    /** The pseudo-tool recorded for an answer the executor could not parse (with handleParsingErrors). */
    public static final String EXCEPTION_TOOL = "_Exception";

    public AgentAction {
        Objects.requireNonNull(tool, "tool");
        toolInput = toolInput == null ? "" : toolInput;
        log = log == null ? "" : log;
    }

    /** A text ReAct action. */
    public static AgentAction text(String tool, String toolInput, String log) {
        return new AgentAction(tool, toolInput, log, null, false);
    }

    /** An action whose input is a JSON object of named arguments. */
    public static AgentAction json(String tool, String argumentsJson, String log) {
        return new AgentAction(tool, argumentsJson, log, null, true);
    }
}
