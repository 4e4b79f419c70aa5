package dev.trellis.framework.models;

import dev.langchain4j.exception.LangChain4jException;

/** The model server could not be reached (refused, reset, unknown host) and retries were exhausted. */
public class ModelConnectionException extends LangChain4jException implements ModelEndpointFailure {

    private final String endpoint;
    private final int attempts;

    public ModelConnectionException(String endpoint, int attempts, Throwable cause) {
        super(endpoint + " could not be reached" + (attempts > 1 ? " after " + attempts + " attempts" : "")
                + ": " + describe(cause) + "; check the base URL and that the server is running", cause);
        this.endpoint = endpoint;
        this.attempts = attempts;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public int attempts() {
        return attempts;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }
}
