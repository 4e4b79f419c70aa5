package dev.trellis.framework.models;

import dev.langchain4j.exception.HttpException;

/**
 * A model server answered with an HTTP error status and retries (if the status allowed any)
 * were exhausted. The message names the endpoint, the status and the server's own error
 * message; the API key is never part of it.
 *
 * <p>langchain4j maps this to its own types by status ({@code RateLimitException} for 429,
 * {@code InternalServerException} for 5xx, ...) with this exception as the cause.
 */
public class ModelHttpException extends HttpException implements ModelEndpointFailure {

    private final String endpoint;
    private final String serverMessage;
    private final int attempts;

    public ModelHttpException(String endpoint, int statusCode, String serverMessage, int attempts, String advice) {
        super(statusCode, endpoint + " failed with HTTP " + statusCode
                + (attempts > 1 ? " after " + attempts + " attempts" : "")
                + ": " + serverMessage + (advice == null || advice.isBlank() ? "" : " (" + advice + ")"));
        this.endpoint = endpoint;
        this.serverMessage = serverMessage;
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

    /** The error message the server sent (OpenAI's {@code error.message}, else the raw body, shortened). */
    public String serverMessage() {
        return serverMessage;
    }
}
