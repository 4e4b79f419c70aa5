package dev.trellis.agents;

import dev.trellis.agents.tools.AgentTool;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** The instructions each {@link AgentType} gives its model, and how past steps are written back. */
public final class AgentPrompts {

    /** What the agent is for; the default start of every ReAct prompt. */
    public static final String DEFAULT_PREFIX = "Answer the following question as well as you can. You can use these tools:";

    /** The text ReAct format. */
    public static final String REACT_FORMAT = """
            Use this format:

            Question: the question you must answer
            Thought: what you should do next
            Action: the tool to use, one of [%s]
            Action Input: the input for the tool
            Observation: what the tool answered
            ... (Thought, Action, Action Input and Observation may repeat as often as needed)
            Thought: I now know the final answer
            Final Answer: the final answer to the question""";

    /** The chat ReAct format: actions as JSON blobs. */
    public static final String REACT_JSON_FORMAT = """
            To use a tool, write a JSON object in a markdown code block, with the key "action" (the tool's name) \
            and the key "action_input" (the tool's input). "action" must be one of: %s

            Write one action per block, like this:

            ```json
            {
              "action": "tool name",
              "action_input": "input for the tool"
            }
            ```

            Always use this format:

            Question: the question you must answer
            Thought: what you should do next
            Action:
            ```json
            the one JSON action
            ```
            Observation: what the tool answered
            ... (Thought, Action and Observation may repeat as often as needed)
            Thought: I now know the final answer
            Final Answer: the final answer to the question""";

    /** The default system message of a {@link AgentType#TOOL_CALLING} agent. */
    public static final String TOOL_CALLING_SYSTEM = "You are a helpful assistant. Use the tools when they help "
            + "to answer; call several at once when they do not depend on each other.";

    static final String REACT_SUFFIX = "Begin!\n\nQuestion: %s\nThought:%s";
    static final String JSON_SUFFIX = "Begin! Always start with \"Thought:\", and end with \"Final Answer:\" once you know the answer.";
    static final String JSON_SCRATCHPAD_INTRO = "Your work so far (I cannot see it; I only see your Final Answer):\n";
    static final String FINAL_ANSWER_REQUEST = "\n\nI now need to return a final answer based on the previous steps:";
    static final String TOOL_CALLING_FINAL_REQUEST = "Stop using tools now and give your final answer from what you have found so far.";

    private AgentPrompts() {
    }

    /** One line per tool: {@code name: description}. */
    public static String toolList(Collection<AgentTool> tools) {
        return tools.stream().map(t -> t.name() + ": " + t.description().strip().replace("\n", " "))
                .collect(Collectors.joining("\n"));
    }

    static String toolNames(Collection<AgentTool> tools) {
        return tools.stream().map(AgentTool::name).collect(Collectors.joining(", "));
    }

    /** The whole text ReAct prompt: prefix, tools, format, the question and the steps so far. */
    static String reactPrompt(String prefix, Collection<AgentTool> tools, String question, List<AgentStep> steps) {
        return prefix + "\n\n" + toolList(tools) + "\n\n" + REACT_FORMAT.formatted(toolNames(tools)) + "\n\n"
                + REACT_SUFFIX.formatted(question, scratchpad(steps, "Thought: "));
    }

    /** The chat ReAct system message. */
    static String reactJsonSystem(String prefix, Collection<AgentTool> tools) {
        return prefix + "\n\n" + toolList(tools) + "\n\n" + REACT_JSON_FORMAT.formatted(toolNames(tools)) + "\n\n" + JSON_SUFFIX;
    }

    /** The chat ReAct user message: the question, then the steps so far. */
    static String reactJsonUser(String question, List<AgentStep> steps) {
        if (steps.isEmpty()) {
            return question;
        }
        return question + "\n\n" + JSON_SCRATCHPAD_INTRO + scratchpad(steps, "Thought:");
    }

    /** Each step as the model wrote it, then its observation, then the cue for the next thought. */
    static String scratchpad(List<AgentStep> steps, String nextCue) {
        StringBuilder out = new StringBuilder();
        for (AgentStep step : steps) {
            out.append(step.action().log()).append("\nObservation: ").append(step.observation()).append('\n').append(nextCue);
        }
        return out.toString();
    }
}
