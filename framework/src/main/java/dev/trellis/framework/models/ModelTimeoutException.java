package dev.trellis.framework.models;

import dev.langchain4j.exception.TimeoutException;

import java.time.Duration;

/**
 * A model server did not answer within the configured timeout. Read timeouts are not retried:
 * the server may still be working on (and billing for) the request.
 */
public class ModelTimeoutException extends TimeoutException implements ModelEndpointFailure {

    private final String endpoint;
    private final Duration timeout;
    private final int attempts;

    public ModelTimeoutException(String endpoint, String phase, Duration timeout, int attempts, Throwable cause) {
        super(endpoint + " timed out: no " + phase + " within " + timeout.toMillis() + " ms"
                + (attempts > 1 ? " (attempt " + attempts + ")" : "")
                + "; raise the timeout if the model is slow, or check that the server is up", cause);
        this.endpoint = endpoint;
        this.timeout = timeout;
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

    /** The timeout that expired. */
    public Duration timeout() {
        return timeout;
    }
}
