package dev.trellis.framework.eval;

/**
 * A model answer that a QA chain cannot read. The message quotes the text; {@link #llmOutput()}
 * returns it whole.
 */
public class QAOutputException extends RuntimeException {

    private final String llmOutput;

    public QAOutputException(String problem, String llmOutput) {
        this(problem, llmOutput, null);
    }

    public QAOutputException(String problem, String llmOutput, Throwable cause) {
        super(problem + "; model output was:\n" + llmOutput, cause);
        this.llmOutput = llmOutput;
    }

    /** The text that could not be parsed. */
    public String llmOutput() {
        return llmOutput;
    }
}
