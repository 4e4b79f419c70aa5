package dev.trellis.agents;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.agents.tools.JavaReplTool;

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

    /** What the Java agent is told before its tool list. */
    public static final String JAVA_AGENT_PREFIX = """
            You are an agent that writes and runs Java code to answer questions. You have a Java REPL (JShell)             in a sandbox, which you can use to run Java statements; print what you need with System.out.println.             If the code fails, read the error, fix the code and try again. Answer only from the output of your code,             even if you believe you know the answer. If code cannot answer the question, answer "I don't know".""";

    private Agents() {
    }

    /**
     * LangChain's Python agent, for Java: a text ReAct agent whose one tool is a sandboxed
     * {@link JavaReplTool} with the default limits, with parse errors sent back to the model.
     * The agent owns the sandbox: close the agent (try-with-resources) to stop it and delete its
     * scratch directory.
     *
     * <pre>{@code
     * try (AgentExecutor agent = Agents.javaAgent(llm)) {
     *     agent.run("Sort these customers by last name and then first name and print the output: " + customers);
     * }
     * }</pre>
     */
    public static AgentExecutor javaAgent(ChatModel llm) {
        JavaReplTool repl = JavaReplTool.create();
        return javaAgentBuilder(llm, repl).owns(repl).build();
    }

    /** The Java agent over a {@link JavaReplTool} you configured and close yourself. */
    public static AgentExecutor javaAgent(ChatModel llm, JavaReplTool repl) {
        return javaAgentBuilder(llm, repl).build();
    }

    /** The Java agent's builder, for more options ({@code verbose}, limits); the caller closes {@code repl}. */
    public static AgentExecutor.Builder javaAgentBuilder(ChatModel llm, JavaReplTool repl) {
        return AgentExecutor.builder()
                .name("JavaAgent")
                .llm(llm)
                .tool(repl)
                .agentType(AgentType.ZERO_SHOT_REACT_DESCRIPTION)
                .prefix(JAVA_AGENT_PREFIX + "\n\nYour tools:")
                .handleParsingErrors(true);
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
