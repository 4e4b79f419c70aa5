package dev.trellis.agents;

import java.util.Objects;

/**
 * The model's final answer (LangChain's {@code AgentFinish}).
 *
 * @param output the answer returned under the executor's {@code output} key
 * @param log    the model's full text
 */
public record AgentFinish(String output, String log) implements AgentDecision {

    public AgentFinish {
        Objects.requireNonNull(output, "output");
        log = log == null ? "" : log;
    }
}
