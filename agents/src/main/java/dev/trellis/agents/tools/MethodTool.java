package dev.trellis.agents.tools;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.service.tool.DefaultToolExecutor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Objects;

/**
 * A langchain4j {@code @Tool} method as an {@link AgentTool}. Native tool calls get the method's
 * own JSON schema and langchain4j's argument binding; text agents pass their "Action Input" to a
 * method with one {@code String} parameter as is, and as JSON arguments to any other method.
 */
final class MethodTool implements AgentTool {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Object target;
    private final Method method;
    private final ToolSpecification specification;
    private final DefaultToolExecutor executor;

    MethodTool(Object target, Method method) {
        this.target = target;
        this.method = Objects.requireNonNull(method, "method");
        this.specification = ToolSpecifications.toolSpecificationFrom(method);
        // Propagate: a failing method must reach the agent as a failure, not as a normal-looking result.
        // langchain4j wants an object even for a static method, whose invocation ignores it.
        Object receiver = target != null ? target : method.getDeclaringClass();
        this.executor = DefaultToolExecutor.builder().object(receiver).originalMethod(method).methodToInvoke(method)
                .wrapToolArgumentsExceptions(false).propagateToolExecutionExceptions(true).build();
        method.setAccessible(true);
        if (specification.name().chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("@Tool name '" + specification.name() + "' on " + method
                    + " must be one word without spaces");
        }
    }

    @Override
    public String name() {
        return specification.name();
    }

    /** {@code @Tool(returnBehavior = IMMEDIATE)} makes the method's result the agent's answer. */
    @Override
    public boolean returnDirect() {
        Tool tool = method.getAnnotation(Tool.class);
        return tool != null && tool.returnBehavior() == dev.langchain4j.agent.tool.ReturnBehavior.IMMEDIATE;
    }

    @Override
    public String description() {
        String description = specification.description();
        if (description == null || description.isBlank()) {
            Tool tool = method.getAnnotation(Tool.class);
            description = tool == null ? "" : String.join("\n", tool.value());
        }
        return description == null || description.isBlank() ? "Calls " + method.getName() : description;
    }

    @Override
    public ToolSpecification specification() {
        return specification;
    }

    @Override
    public String run(String input) throws Exception {
        int count = method.getParameterCount();
        if (count == 0) {
            return render(invoke());
        }
        if (count == 1 && method.getParameterTypes()[0] == String.class) {
            return render(invoke(input == null ? "" : input));
        }
        return runJson(input);
    }

    @Override
    public String runJson(String argumentsJson) throws Exception {
        String args = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        if (method.getParameterCount() == 1 && method.getParameterTypes()[0] == String.class
                && !namesParameter(args, specification)) {
            // A single-text tool called with {"input": ...} or a bare string: hand over the text.
            return render(invoke(ToolArguments.inputOf(args)));
        }
        if (!isJsonObject(args)) {
            throw new IllegalArgumentException("arguments for tool '" + name() + "' must be a JSON object with the keys "
                    + specification.parameters().properties().keySet() + "; got: " + args);
        }
        ToolExecutionRequest request = ToolExecutionRequest.builder().name(name()).arguments(args).build();
        try {
            return executor.execute(request, "default");
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && (cause instanceof InvocationTargetException
                    || cause.getClass().getName().startsWith("dev.langchain4j."))) {
                cause = cause.getCause();
            }
            if (cause instanceof Exception original) {
                throw original;
            }
            throw e;
        }
    }

    private static boolean isJsonObject(String json) {
        try {
            return JSON.readTree(json).isObject();
        } catch (Exception notJson) {
            return false;
        }
    }

    private Object invoke(Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static boolean namesParameter(String json, ToolSpecification spec) {
        if (spec.parameters() == null) {
            return false;
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.isObject()) {
                return false;
            }
            for (String property : spec.parameters().properties().keySet()) {
                if (node.has(property)) {
                    return true;
                }
            }
            return false;
        } catch (Exception notJson) {
            return false;
        }
    }

    private static String render(Object result) throws Exception {
        if (result == null) {
            return "Success";
        }
        return result instanceof CharSequence text ? text.toString() : JSON.writeValueAsString(result);
    }

    @Override
    public String toString() {
        return "MethodTool[" + name() + " = " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + "]";
    }
}
