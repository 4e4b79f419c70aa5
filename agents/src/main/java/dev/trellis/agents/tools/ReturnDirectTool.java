package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.ToolSpecification;

import java.util.Objects;

/** A tool with its {@link AgentTool#returnDirect()} changed; made by {@link AgentTool#withReturnDirect(boolean)}. */
record ReturnDirectTool(AgentTool tool, boolean returnDirect) implements AgentTool {

    ReturnDirectTool {
        Objects.requireNonNull(tool, "tool");
    }

    @Override
    public String name() {
        return tool.name();
    }

    @Override
    public String description() {
        return tool.description();
    }

    @Override
    public String run(String input) throws Exception {
        return tool.run(input);
    }

    @Override
    public ToolSpecification specification() {
        return tool.specification();
    }

    @Override
    public String runJson(String argumentsJson) throws Exception {
        return tool.runJson(argumentsJson);
    }
}
