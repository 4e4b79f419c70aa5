package dev.trellis.framework.parsers;

/**
 * A model's answer that a parser cannot read. The message quotes the text; {@link #llmOutput()}
 * returns it whole, so a caller (or an agent) can show it back to the model.
 */
public class OutputParserException extends RuntimeException {

    private final String llmOutput;

    public OutputParserException(String problem, String llmOutput) {
        this(problem, llmOutput, null);
    }

    public OutputParserException(String problem, String llmOutput, Throwable cause) {
        super(problem + "; model output was:\n" + llmOutput, cause);
        this.llmOutput = llmOutput;
    }

    /** The text that could not be parsed. */
    public String llmOutput() {
        return llmOutput;
    }
}
