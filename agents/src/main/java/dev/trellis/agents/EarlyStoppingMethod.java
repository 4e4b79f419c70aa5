package dev.trellis.agents;

/** What an {@link AgentExecutor} answers when it hits {@code maxIterations} or {@code maxExecutionTime}. */
public enum EarlyStoppingMethod {

    /** Answer with a fixed message saying that the agent stopped and why. */
    FORCE,

    /**
     * Ask the model once more, without tools, for a final answer from the steps so far (when the
     * time limit is hit, only if time remains for it; otherwise as {@link #FORCE}).
     */
    GENERATE
}
