package dev.trellis.agents.tools;

import java.util.Objects;
import java.util.function.Function;

/** An {@link AgentTool} backed by a lambda; made by {@link AgentTool#of}. */
record FunctionTool(String name, String description, Function<String, String> function) implements AgentTool {

    FunctionTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("tool name '" + name + "' must be one word without spaces, e.g. 'search_documents'");
        }
    }

    @Override
    public String run(String input) {
        return function.apply(input);
    }
}
