package dev.trellis.agents;

/** How an {@link AgentExecutor} talks to its model (LangChain's {@code AgentType}). */
public enum AgentType {

    /**
     * ReAct as plain text: the model writes {@code Thought:}, {@code Action:} and {@code Action Input:}
     * lines, the executor appends {@code Observation:}, until the model writes {@code Final Answer:}.
     * Generation stops at {@code "\nObservation:"} so the model cannot invent observations.
     * Works with any model, local ones included.
     */
    ZERO_SHOT_REACT_DESCRIPTION,

    /**
     * ReAct for chat models: instructions in a system message, each action a JSON blob
     * ({@code {"action": ..., "action_input": ...}}) in a markdown code block.
     */
    CHAT_ZERO_SHOT_REACT_DESCRIPTION,

    /**
     * The model's native tool calls (OpenAI {@code tools} through langchain4j
     * {@code ToolSpecification}s); several calls in one answer run in parallel and each result goes
     * back as a {@code ToolExecutionResultMessage}. Needs a model that supports tool calling.
     */
    TOOL_CALLING
}
