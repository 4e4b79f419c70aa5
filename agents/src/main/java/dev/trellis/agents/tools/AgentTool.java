package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

import java.util.Objects;
import java.util.function.Function;

/**
 * A tool an agent may call: a name the model writes, a description the model reads, and a function
 * from the model's input text to an observation.
 *
 * <p>Text agents (ReAct) pass the raw "Action Input"; tool-calling agents pass the JSON arguments of
 * a native tool call to {@link #runJson(String)}, whose default hands over the {@code input} field.
 * A failure inside a tool is the tool's to report: return or throw, and the executor turns a thrown
 * exception into an observation so the agent can go on.
 *
 * <p>A tool that {@linkplain #returnDirect() returns directly} (LangChain's {@code return_direct=True},
 * langchain4j's {@code @Tool(returnBehavior = IMMEDIATE)}) ends the run: its result is the agent's answer.
 */
public interface AgentTool {

    /** The name the model uses in "Action:" or a native tool call; no spaces. */
    String name();

    /** What the tool does and what input it expects, written for the model. */
    String description();

    /** Runs the tool on the model's text input and returns the observation. */
    String run(String input) throws Exception;

    /**
     * Whether the tool's result is the agent's final answer, without another model turn
     * (LangChain's {@code return_direct}); {@code false} by default.
     */
    default boolean returnDirect() {
        return false;
    }

    /** This tool with {@link #returnDirect()} set as given. */
    default AgentTool withReturnDirect(boolean returnDirect) {
        AgentTool tool = this instanceof ReturnDirectTool wrapped ? wrapped.tool() : this;
        return returnDirect == tool.returnDirect() ? tool : new ReturnDirectTool(tool, returnDirect);
    }

    /** The JSON-schema signature offered to models with native tool calling. */
    default ToolSpecification specification() {
        return ToolSpecification.builder()
                .name(name())
                .description(description())
                .parameters(JsonObjectSchema.builder()
                        .addStringProperty("input", "the input for " + name())
                        .required("input")
                        .build())
                .build();
    }

    /** Runs the tool on the JSON arguments of a native tool call. */
    default String runJson(String argumentsJson) throws Exception {
        return run(ToolArguments.inputOf(argumentsJson));
    }

    /** A tool from a lambda: {@code AgentTool.of("time", "Returns today's date", in -> LocalDate.now().toString())}. */
    static AgentTool of(String name, String description, Function<String, String> function) {
        Objects.requireNonNull(function, "function");
        return new FunctionTool(name, description, function);
    }
}
