package dev.trellis.framework.models;

import dev.langchain4j.exception.LangChain4jException;

/**
 * A model server answered "success" with a body that is not what the OpenAI protocol promises
 * (not JSON, or a chat completion without choices). Retrying would not help: the server or the
 * base URL is wrong. The message names the endpoint and quotes the start of the body.
 */
public class ModelResponseException extends LangChain4jException implements ModelEndpointFailure {

    private final String endpoint;
    private final int attempts;

    public ModelResponseException(String endpoint, String problem, String bodyExcerpt, int attempts, Throwable cause) {
        super(endpoint + " returned " + problem + "; body starts with: " + bodyExcerpt
                + " (is the base URL an OpenAI-compatible server?)", cause);
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
}
