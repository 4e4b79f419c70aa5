package dev.trellis.framework.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A langchain4j {@link HttpClient} over the JDK's {@code java.net.http} client that retries
 * transient failures the way servers ask to be retried.
 *
 * <p>It sits below langchain4j's model classes, so it sees the status and headers of every
 * response, which langchain4j's own retry (a loop around the whole call, with fixed backoff)
 * never does. Per attempt: HTTP 408/429/5xx and connection failures are retried under the
 * {@link RetryPolicy}, honouring {@code Retry-After}; read timeouts are not retried (the server
 * may still be processing the request). Streaming requests are retried only until the response
 * is accepted, never after the first byte has reached the caller. Failures are reported as
 * {@link ModelHttpException}, {@link ModelTimeoutException}, {@link ModelConnectionException} or
 * {@link ModelResponseException}, each naming the endpoint; credentials never appear in them.
 */
public final class RetryingHttpClient implements HttpClient {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingHttpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final int EXCERPT_CHARS = 300;

    private final java.net.http.HttpClient http;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private volatile HttpClient multipartClient;

    RetryingHttpClient(java.net.http.HttpClient http, Duration connectTimeout, Duration readTimeout,
                       RetryPolicy retryPolicy, Clock clock) {
        this.http = http;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    public static RetryingHttpClientBuilder builder() {
        return new RetryingHttpClientBuilder();
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        if (isMultipart(request)) {
            // Only audio/image uploads use multipart; they are not retried (bodies may be large).
            return multipartClient().execute(request);
        }
        String endpoint = endpoint(request);
        java.net.http.HttpRequest jdkRequest = toJdkRequest(request);
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(jdkRequest, HttpResponse.BodyHandlers.ofByteArray());
            } catch (HttpConnectTimeoutException e) {
                if (canRetry(attempt)) {
                    sleep(retryWait(endpoint, attempt, "connect timeout", Optional.empty()), endpoint, attempt);
                    continue;
                }
                throw new ModelTimeoutException(endpoint, "connection", connectTimeout, attempt, e);
            } catch (HttpTimeoutException e) {
                throw new ModelTimeoutException(endpoint, "response", readTimeout, attempt, e);
            } catch (IOException e) {
                if (canRetry(attempt)) {
                    sleep(retryWait(endpoint, attempt, e.getClass().getSimpleName(), Optional.empty()), endpoint, attempt);
                    continue;
                }
                throw new ModelConnectionException(endpoint, attempt, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelConnectionException(endpoint, attempt, e);
            }
            int status = response.statusCode();
            LOG.debug("{} -> HTTP {} (attempt {})", endpoint, status, attempt);
            if (isSuccess(status)) {
                byte[] body = response.body();
                validateJson(request, endpoint, contentType(response), body, attempt);
                return SuccessfulHttpResponse.builder()
                        .statusCode(status)
                        .headers(response.headers().map())
                        .body(body)
                        .build();
            }
            String body = new String(response.body(), StandardCharsets.UTF_8);
            Optional<Duration> retryAfter = RetryAfter.fromHeaders(response.headers().map(), clock);
            Optional<String> refusal = retryRefusal(status, attempt, retryAfter);
            if (refusal.isEmpty()) {
                sleep(retryWait(endpoint, attempt, "HTTP " + status, retryAfter), endpoint, attempt);
                continue;
            }
            throw new ModelHttpException(endpoint, status, serverMessage(body, request), attempt, refusal.get());
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        if (isMultipart(request)) {
            multipartClient().execute(request, parser, listener);
            return;
        }
        streamAttempt(request, endpoint(request), toJdkRequest(request), parser, listener, 1);
    }

    private HttpClient multipartClient() {
        HttpClient client = multipartClient;
        if (client == null) {
            client = JdkHttpClient.builder().connectTimeout(connectTimeout).readTimeout(readTimeout).build();
            multipartClient = client;
        }
        return client;
    }

    private void streamAttempt(HttpRequest request, String endpoint, java.net.http.HttpRequest jdkRequest,
                               ServerSentEventParser parser, ServerSentEventListener listener, int attempt) {
        http.sendAsync(jdkRequest, HttpResponse.BodyHandlers.ofInputStream()).whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof HttpConnectTimeoutException && canRetry(attempt)) {
                    retryStreamLater(request, endpoint, jdkRequest, parser, listener, attempt, "connect timeout", Optional.empty());
                } else if (cause instanceof HttpConnectTimeoutException) {
                    notifyError(listener, new ModelTimeoutException(endpoint, "connection", connectTimeout, attempt, cause));
                } else if (cause instanceof HttpTimeoutException) {
                    notifyError(listener, new ModelTimeoutException(endpoint, "response", readTimeout, attempt, cause));
                } else if (cause instanceof IOException && canRetry(attempt)) {
                    retryStreamLater(request, endpoint, jdkRequest, parser, listener, attempt,
                            cause.getClass().getSimpleName(), Optional.empty());
                } else {
                    notifyError(listener, new ModelConnectionException(endpoint, attempt, cause));
                }
                return;
            }
            int status = response.statusCode();
            if (!isSuccess(status)) {
                String body = readFully(response.body());
                Optional<Duration> retryAfter = RetryAfter.fromHeaders(response.headers().map(), clock);
                Optional<String> refusal = retryRefusal(status, attempt, retryAfter);
                if (refusal.isEmpty()) {
                    retryStreamLater(request, endpoint, jdkRequest, parser, listener, attempt, "HTTP " + status, retryAfter);
                } else {
                    notifyError(listener, new ModelHttpException(endpoint, status, serverMessage(body, request), attempt, refusal.get()));
                }
                return;
            }
            // From here on bytes reach the caller, so nothing is retried.
            ValidatingListener validating = new ValidatingListener(listener, endpoint, attempt);
            try (InputStream body = response.body()) {
                listener.onOpen(SuccessfulHttpResponse.builder().statusCode(status).headers(response.headers().map()).build());
                parser.parse(body, validating);
            } catch (Exception e) {
                validating.fail(new ModelConnectionException(endpoint, attempt, e));
            }
            if (!validating.failed) {
                try {
                    listener.onClose();
                } catch (RuntimeException e) {
                    LOG.warn("stream listener for {} failed in onClose", endpoint, e);
                }
            }
        });
    }

    private void retryStreamLater(HttpRequest request, String endpoint, java.net.http.HttpRequest jdkRequest,
                                  ServerSentEventParser parser, ServerSentEventListener listener, int attempt,
                                  String reason, Optional<Duration> retryAfter) {
        Duration wait = retryWait(endpoint, attempt, reason, retryAfter);
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> streamAttempt(request, endpoint, jdkRequest, parser, listener, attempt + 1));
    }

    /** Empty when the failed attempt may be retried; otherwise why not, for the error message. */
    private Optional<String> retryRefusal(int status, int attempt, Optional<Duration> retryAfter) {
        if (!RetryPolicy.isRetryableStatus(status)) {
            return Optional.of(status == 401 || status == 403 ? "check the API key" : "");
        }
        if (!canRetry(attempt)) {
            return Optional.of(retryPolicy.maxRetries() == 0 ? "retries are disabled"
                    : "gave up after " + retryPolicy.maxRetries() + " retries");
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(retryPolicy.maxRetryAfter()) > 0) {
            return Optional.of("the server asked to retry after " + retryAfter.get().toSeconds()
                    + " s, more than maxRetryAfter " + retryPolicy.maxRetryAfter().toSeconds() + " s");
        }
        return Optional.empty();
    }

    private boolean canRetry(int attempt) {
        return attempt <= retryPolicy.maxRetries();
    }

    private Duration retryWait(String endpoint, int attempt, String reason, Optional<Duration> retryAfter) {
        Duration wait = retryAfter.map(retryPolicy::afterRetryAfter).orElseGet(() -> retryPolicy.backoff(attempt));
        LOG.warn("{} failed ({}); retry {} of {} in {} ms{}", endpoint, reason, attempt, retryPolicy.maxRetries(),
                wait.toMillis(), retryAfter.isPresent() ? " as the server asked (Retry-After)" : "");
        return wait;
    }

    private static void sleep(Duration wait, String endpoint, int attempt) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelConnectionException(endpoint, attempt, e);
        }
    }

    private void validateJson(HttpRequest request, String endpoint, String contentType, byte[] body, int attempt) {
        boolean chatCompletion = path(request).endsWith("/chat/completions");
        if (!chatCompletion && !contentType.contains("json")) {
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelResponseException(endpoint, "malformed JSON (" + e.getOriginalMessage() + ")",
                    excerpt(text), attempt, null);
        }
        if (json == null || json.isMissingNode()) {
            throw new ModelResponseException(endpoint, "an empty body", excerpt(text), attempt, null);
        }
        if (chatCompletion) {
            JsonNode choices = json.get("choices");
            if (choices == null || !choices.isArray() || choices.isEmpty()) {
                throw new ModelResponseException(endpoint, "a chat completion without 'choices'", excerpt(text), attempt, null);
            }
        }
    }

    /** Forwards server-sent events, but turns a chunk that is not JSON into a clear error. */
    private static final class ValidatingListener implements ServerSentEventListener {
        private final ServerSentEventListener delegate;
        private final String endpoint;
        private final int attempt;
        private volatile boolean failed;

        ValidatingListener(ServerSentEventListener delegate, String endpoint, int attempt) {
            this.delegate = delegate;
            this.endpoint = endpoint;
            this.attempt = attempt;
        }

        @Override
        public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
            if (failed) {
                return;
            }
            if (!isValid(event)) {
                context.parsingHandle().cancel();
                fail(new ModelResponseException(endpoint, "a malformed JSON stream event", excerpt(event.data()), attempt, null));
                return;
            }
            delegate.onEvent(event, context);
        }

        @Override
        public void onEvent(ServerSentEvent event) {
            if (failed) {
                return;
            }
            if (!isValid(event)) {
                fail(new ModelResponseException(endpoint, "a malformed JSON stream event", excerpt(event.data()), attempt, null));
                return;
            }
            delegate.onEvent(event);
        }

        @Override
        public void onError(Throwable error) {
            fail(error);
        }

        void fail(Throwable error) {
            if (!failed) {
                failed = true;
                notifyError(delegate, error);
            }
        }

        private static boolean isValid(ServerSentEvent event) {
            String data = event.data();
            if (data == null || data.isBlank() || data.trim().equals("[DONE]")) {
                return true;
            }
            try {
                JSON.readTree(data);
                return true;
            } catch (JsonProcessingException e) {
                return false;
            }
        }
    }

    private static void notifyError(ServerSentEventListener listener, Throwable error) {
        try {
            listener.onError(error);
        } catch (RuntimeException e) {
            LOG.warn("stream listener failed in onError", e);
        }
    }

    /** OpenAI's {@code error.message} when the body has one, else the body; credentials removed. */
    private static String serverMessage(String body, HttpRequest request) {
        String message = body;
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode error = json == null ? null : json.get("error");
            if (error != null && error.isObject() && error.hasNonNull("message")) {
                message = error.get("message").asText();
            } else if (error != null && error.isTextual()) {
                message = error.asText();
            } else if (json != null && json.hasNonNull("message")) {
                message = json.get("message").asText();
            }
        } catch (JsonProcessingException notJson) {
            // keep the raw body
        }
        for (String secret : secrets(request)) {
            message = message.replace(secret, "***");
        }
        message = message.isBlank() ? "(empty body)" : message.strip();
        return excerpt(message);
    }

    private static List<String> secrets(HttpRequest request) {
        List<String> secrets = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            String lower = name.toLowerCase();
            if (lower.equals("authorization") || lower.equals("api-key") || lower.equals("x-api-key")) {
                for (String value : values) {
                    String secret = value.startsWith("Bearer ") ? value.substring(7) : value;
                    if (secret.length() >= 4) {
                        secrets.add(secret);
                    }
                }
            }
        });
        return secrets;
    }

    private static String excerpt(String text) {
        if (text == null) {
            return "(no body)";
        }
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= EXCERPT_CHARS ? oneLine : oneLine.substring(0, EXCERPT_CHARS) + "...";
    }

    private java.net.http.HttpRequest toJdkRequest(HttpRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder()
                .uri(URI.create(request.url()))
                .timeout(readTimeout);
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            if (!RESTRICTED_HEADERS.contains(header.getKey().toLowerCase())) {
                header.getValue().forEach(value -> builder.header(header.getKey(), value));
            }
        }
        java.net.http.HttpRequest.BodyPublisher body = request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8);
        return builder.method(request.method().name(), body).build();
    }

    private static boolean isMultipart(HttpRequest request) {
        return (request.formDataFields() != null && !request.formDataFields().isEmpty())
                || (request.formDataFiles() != null && !request.formDataFiles().isEmpty());
    }

    private static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("").toLowerCase();
    }

    private static String readFully(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(body unreadable: " + e.getMessage() + ")";
        }
    }

    private static String path(HttpRequest request) {
        String path = URI.create(request.url()).getPath();
        return path == null ? "" : path;
    }

    /** {@code METHOD scheme://host:port/path}: no user info, no query string (keys sometimes travel there). */
    static String endpoint(HttpRequest request) {
        URI uri = URI.create(request.url());
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return request.method().name() + " " + uri.getScheme() + "://" + uri.getHost() + port
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
