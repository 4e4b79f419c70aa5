package dev.trellis.agents;

import dev.trellis.framework.tracing.ChainRun;

import java.util.List;

/**
 * One agent run's conversation with the model (LangChain's {@code Agent.plan}): given the steps
 * so far, the next actions or the final answer. Made fresh for every run; may keep state.
 */
interface AgentPlanner {

    /** The next decision; throws {@link AgentOutputParserException} for an unreadable answer. */
    Plan plan(List<AgentStep> steps, ChainRun run);

    /** One more model call, without tools, asking for the final answer ({@link EarlyStoppingMethod#GENERATE}). */
    AgentFinish finalAnswer(List<AgentStep> steps, ChainRun run);

    /** Tool calls to run now, or the answer. */
    record Plan(List<AgentAction> actions, AgentFinish finish) {

        static Plan act(List<AgentAction> actions) {
            return new Plan(List.copyOf(actions), null);
        }

        static Plan finish(AgentFinish finish) {
            return new Plan(List.of(), finish);
        }
    }
}
