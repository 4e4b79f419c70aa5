package dev.trellis.retrieval.qa;

/**
 * A prompt {@link RetrievalQA} was about to send is longer than the context window it was given
 * ({@link RetrievalQA.Builder#contextWindow}). Nothing is cut: the caller chooses to retrieve fewer
 * documents, split them smaller, or use a chain type that sends one document per call.
 */
public class ContextTooLongException extends RuntimeException {

    private final int promptTokens;
    private final int maxTokens;

    public ContextTooLongException(String message, int promptTokens, int maxTokens) {
        super(message);
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
    }

    /** Estimated tokens of the prompt that did not fit. */
    public int promptTokens() {
        return promptTokens;
    }

    /** The configured limit. */
    public int maxTokens() {
        return maxTokens;
    }
}
