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
 */
public interface AgentTool {

    /** The name the model uses in "Action:" or a native tool call; no spaces. */
    String name();

    /** What the tool does and what input it expects, written for the model. */
    String description();

    /** Runs the tool on the model's text input and returns the observation. */
    String run(String input) throws Exception;

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
