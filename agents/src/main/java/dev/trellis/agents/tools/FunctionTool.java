package dev.trellis.agents.tools;

import java.util.Objects;
import java.util.function.Function;

/** An {@link AgentTool} backed by a lambda; made by {@link AgentTool#of}. */
record FunctionTool(String name, String description, Function<String, String> function) implements AgentTool {

    FunctionTool {
        checkName(name);
        Objects.requireNonNull(description, "description");
    }

    /** Every tool name is one word: models write it after "Action:" and in native tool calls. */
    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("tool name '" + name + "' must be one word without spaces, e.g. 'search_documents'");
        }
        return name;
    }

    @Override
    public String run(String input) {
        return function.apply(input);
    }
}
