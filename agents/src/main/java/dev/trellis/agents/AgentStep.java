package dev.trellis.agents;

import java.util.Objects;

/**
 * One step of an agent run: the action and what the tool answered (one element of LangChain's
 * {@code intermediate_steps}).
 */
public record AgentStep(AgentAction action, String observation) {

    public AgentStep {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(observation, "observation");
    }
}
