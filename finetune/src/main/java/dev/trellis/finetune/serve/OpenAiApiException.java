package dev.trellis.finetune.serve;

import java.util.Objects;

/**
 * A request the server refuses, carrying what OpenAI's API would answer: the HTTP status and the
 * {@code {"error": {"message", "type", "param", "code"}}} body that OpenAI clients parse into their
 * own typed exceptions (400 {@code BadRequestError}, 401, 404, 413, 429 {@code RateLimitError}...).
 */
public final class OpenAiApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    public OpenAiApiException(int status, String type, String message, String param, String code) {
        this(status, type, message, param, code, null);
    }

    private OpenAiApiException(int status, String type, String message, String param, String code, Integer retryAfterSeconds) {
        super(Objects.requireNonNull(message, "message"));
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed or asks for something this server cannot do. */
    public static OpenAiApiException invalidRequest(String message, String param) {
        return new OpenAiApiException(400, "invalid_request_error", message, param, null);
    }

    /** 400 with a machine-readable code, e.g. {@code context_length_exceeded}. */
    public static OpenAiApiException invalidRequest(String message, String param, String code) {
        return new OpenAiApiException(400, "invalid_request_error", message, param, code);
    }

    /** 401: the API key is missing or wrong. */
    public static OpenAiApiException invalidApiKey(String message) {
        return new OpenAiApiException(401, "invalid_request_error", message, null, "invalid_api_key");
    }

    /** 404: the model named in the request is not served here. */
    public static OpenAiApiException modelNotFound(String model, String served) {
        return new OpenAiApiException(404, "invalid_request_error", "The model `" + model
                + "` does not exist on this server; it serves " + served + " (see GET /v1/models).", "model",
                "model_not_found");
    }

    /** 413: the body is larger than the server accepts. */
    public static OpenAiApiException bodyTooLarge(long limitBytes) {
        return new OpenAiApiException(413, "invalid_request_error", "The request body exceeds the limit of "
                + limitBytes + " bytes; send a shorter prompt or start the server with a larger body limit.",
                null, "request_too_large");
    }

    /** 408: the body did not arrive within the server's time for it (a client stalled or far too slow). */
    public static OpenAiApiException bodyTimeout(java.time.Duration timeout) {
        return new OpenAiApiException(408, "invalid_request_error", "The request body did not arrive within "
                + timeout.toMillis() / 1000.0 + " s; send the whole body promptly.", null, "request_timeout");
    }

    /** 503: too many clients are sending bodies at once; this one may retry shortly. */
    public static OpenAiApiException tooManyUploads(int limit) {
        return new OpenAiApiException(503, "server_error", "The server is receiving " + limit + " request bodies at"
                + " once, its limit; retry in a moment.", null, "too_many_uploads", 1);
    }

    /** 429: the queue is full; clients retry after {@code retryAfterSeconds}. */
    public static OpenAiApiException queueFull(int queueCapacity, int retryAfterSeconds) {
        return new OpenAiApiException(429, "rate_limit_exceeded", "The server is busy: all workers are generating and "
                + "the queue of " + queueCapacity + " waiting requests is full. Retry after " + retryAfterSeconds
                + " s.", null, "queue_full", retryAfterSeconds);
    }

    /** 503: the server is shutting down and takes no new work. */
    public static OpenAiApiException shuttingDown() {
        return new OpenAiApiException(503, "server_error", "The server is shutting down and accepts no new requests.",
                null, "server_shutting_down");
    }

    /** 500: the model failed while answering. */
    public static OpenAiApiException modelFailure(Throwable cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        OpenAiApiException e = new OpenAiApiException(500, "server_error", "The model failed to answer: " + detail,
                null, "model_error");
        e.initCause(cause);
        return e;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The request field at fault, e.g. {@code messages[1].role}; null when none is. */
    public String param() {
        return param;
    }

    /** A machine-readable code such as {@code model_not_found}; null when the type says enough. */
    public String code() {
        return code;
    }

    /** Seconds for the {@code Retry-After} header; null when the error is not transient. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
