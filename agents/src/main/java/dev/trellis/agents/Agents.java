package dev.trellis.agents;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.agents.tools.AgentTool;

import java.util.List;

/**
 * One-line agents, like LangChain's {@code initialize_agent}:
 *
 * <pre>{@code
 * AgentExecutor agent = Agents.initializeAgent(Tools.load(List.of("llm-math", "wikipedia"), llm), llm,
 *         AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION);
 * String answer = agent.run("What is the 25% of 300?");
 * }</pre>
 *
 * For options ({@code handleParsingErrors}, limits, {@code verbose}) use {@link AgentExecutor#builder()}
 * or {@link #agentBuilder(List, ChatModel, AgentType)}.
 */
public final class Agents {

    private Agents() {
    }

    /** An agent with LangChain's defaults: 15 iterations, FORCE stop, parse errors thrown. */
    public static AgentExecutor initializeAgent(List<? extends AgentTool> tools, ChatModel llm, AgentType agentType) {
        return agentBuilder(tools, llm, agentType).build();
    }

    /** A builder with the tools, model and protocol set, for further options. */
    public static AgentExecutor.Builder agentBuilder(List<? extends AgentTool> tools, ChatModel llm, AgentType agentType) {
        return AgentExecutor.builder().tools(tools).llm(llm).agentType(agentType);
    }
}
