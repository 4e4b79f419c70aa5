package dev.trellis.framework.models;

/**
 * What every failure of a call to a remote model server tells: which endpoint (URL without
 * query string or credentials) and after how many attempts the client gave up.
 */
public interface ModelEndpointFailure {

    /** Method and URL of the request, e.g. {@code POST https://api.openai.com/v1/chat/completions}. */
    String endpoint();

    /** How many times the request was sent before the client gave up. */
    int attempts();
}
