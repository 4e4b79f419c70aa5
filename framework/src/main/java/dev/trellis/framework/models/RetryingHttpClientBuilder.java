package dev.trellis.framework.models;

import dev.langchain4j.http.client.HttpClientBuilder;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds a {@link RetryingHttpClient}. Pass it to any langchain4j model builder's
 * {@code httpClientBuilder(...)} (and set that model's own {@code maxRetries(0)}):
 * <pre>{@code
 * OpenAiChatModel.builder()
 *     .httpClientBuilder(RetryingHttpClient.builder().retryPolicy(RetryPolicy.defaults()))
 *     .maxRetries(0)
 *     ...
 * }</pre>
 * langchain4j's OpenAI models always push their own timeouts into this builder (their
 * {@code timeout(...)}, else 15 s connect / 60 s read); call {@link #pinTimeouts()} to keep the
 * values set here instead, as {@link Models} does.
 */
public final class RetryingHttpClientBuilder implements HttpClientBuilder {

    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Clock clock = Clock.systemUTC();
    private java.net.http.HttpClient.Builder jdkClientBuilder;
    private boolean timeoutsPinned;

    RetryingHttpClientBuilder() {
    }

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public RetryingHttpClientBuilder connectTimeout(Duration connectTimeout) {
        if (connectTimeout != null && !timeoutsPinned) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
        }
        return this;
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    /** How long to wait for the response headers of one attempt (the whole body, when not streaming). */
    @Override
    public RetryingHttpClientBuilder readTimeout(Duration readTimeout) {
        if (readTimeout != null && !timeoutsPinned) {
            this.readTimeout = positive(readTimeout, "readTimeout");
        }
        return this;
    }

    /**
     * Freezes the current timeouts: later {@code connectTimeout(...)}/{@code readTimeout(...)}
     * calls (langchain4j's model builders make them with their defaults) are ignored.
     */
    public RetryingHttpClientBuilder pinTimeouts() {
        this.timeoutsPinned = true;
        return this;
    }

    public RetryingHttpClientBuilder retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return this;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The clock HTTP-date {@code Retry-After} values are compared with. */
    public RetryingHttpClientBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** A JDK client builder to start from (proxy, SSL context, executor); its connect timeout is overridden. */
    public RetryingHttpClientBuilder jdkClientBuilder(java.net.http.HttpClient.Builder jdkClientBuilder) {
        this.jdkClientBuilder = Objects.requireNonNull(jdkClientBuilder, "jdkClientBuilder");
        return this;
    }

    @Override
    public RetryingHttpClient build() {
        java.net.http.HttpClient.Builder jdk = jdkClientBuilder != null ? jdkClientBuilder
                : java.net.http.HttpClient.newBuilder();
        return new RetryingHttpClient(jdk.connectTimeout(connectTimeout).build(),
                connectTimeout, readTimeout, retryPolicy, clock);
    }

    private static Duration positive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive; got " + value);
        }
        return value;
    }
}
