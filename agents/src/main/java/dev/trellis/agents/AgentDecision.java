package dev.trellis.agents;

/** What the model decided in one turn: call a tool ({@link AgentAction}) or answer ({@link AgentFinish}). */
public sealed interface AgentDecision permits AgentAction, AgentFinish {

    /** The model's text this decision was read from. */
    String log();
}
