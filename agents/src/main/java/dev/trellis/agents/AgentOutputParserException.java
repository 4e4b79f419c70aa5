package dev.trellis.agents;

import dev.trellis.framework.parsers.OutputParserException;

/**
 * A model answer that is neither a well-formed action nor a final answer. With
 * {@code handleParsingErrors} the executor sends {@link #problem()} back to the model as the
 * observation; without it, the run fails with this exception.
 */
public class AgentOutputParserException extends OutputParserException {

    private final String problem;

    public AgentOutputParserException(String problem, String llmOutput) {
        super(problem, llmOutput);
        this.problem = problem;
    }

    /** What is wrong with the answer, without the answer itself. */
    public String problem() {
        return problem;
    }
}
