package dev.trellis.framework.models;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings shared by {@link OpenAiModelBuilder} and {@link OpenAiStreamingModelBuilder}: where
 * the OpenAI-compatible server is, which model, and how patiently to talk to it.
 *
 * @param <B> the concrete builder, so that chained calls keep their type
 */
public abstract class OpenAiConnectionBuilder<B extends OpenAiConnectionBuilder<B>> {

    /** OpenAI's own API. */
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
    /** The model asked for when none is named: small, cheap, good enough for the course. */
    public static final String DEFAULT_MODEL_NAME = "gpt-4o-mini";

    String baseUrl = OPENAI_BASE_URL;
    String apiKey;
    String modelName = DEFAULT_MODEL_NAME;
    Double temperature;
    Integer maxTokens;
    Duration timeout = Duration.ofSeconds(60);
    Duration connectTimeout = Duration.ofSeconds(10);
    final RetryPolicy.Builder retry = RetryPolicy.builder();

    OpenAiConnectionBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** e.g. {@code https://api.openai.com/v1}, {@code http://localhost:11434/v1} (Ollama), {@code http://localhost:8080/v1}. */
    public B baseUrl(String baseUrl) {
        this.baseUrl = validBaseUrl(baseUrl, "baseUrl");
        return self();
    }

    /** The API key; may stay unset for local servers that need none. Never logged. */
    public B apiKey(String apiKey) {
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        return self();
    }

    public B modelName(String modelName) {
        if (modelName == null || modelName.isBlank()) {
            throw new ModelConfigurationException("modelName must not be blank; e.g. " + DEFAULT_MODEL_NAME);
        }
        this.modelName = modelName.strip();
        return self();
    }

    /** Sampling temperature, 0 to 2; unset leaves the server's default. */
    public B temperature(double temperature) {
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new ModelConfigurationException("temperature must be between 0 and 2; got " + temperature);
        }
        this.temperature = temperature;
        return self();
    }

    public B maxTokens(int maxTokens) {
        if (maxTokens < 1) {
            throw new ModelConfigurationException("maxTokens must be >= 1; got " + maxTokens);
        }
        this.maxTokens = maxTokens;
        return self();
    }

    /** How long one attempt may wait for the response (for streaming: for the response to start). */
    public B timeout(Duration timeout) {
        this.timeout = positive(timeout, "timeout");
        return self();
    }

    public B connectTimeout(Duration connectTimeout) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        return self();
    }

    /** Retries after the first attempt on 408/429/5xx and connection failures; 0 disables them. */
    public B maxRetries(int maxRetries) {
        retry.maxRetries(maxRetries);
        return self();
    }

    public B initialBackoff(Duration initialBackoff) {
        retry.initialBackoff(initialBackoff);
        return self();
    }

    public B maxBackoff(Duration maxBackoff) {
        retry.maxBackoff(maxBackoff);
        return self();
    }

    /** The longest {@code Retry-After} honoured by waiting; a server asking for more fails the call at once. */
    public B maxRetryAfter(Duration maxRetryAfter) {
        retry.maxRetryAfter(maxRetryAfter);
        return self();
    }

    /** Replaces all retry settings at once. */
    public B retryPolicy(RetryPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        retry.maxRetries(policy.maxRetries()).initialBackoff(policy.initialBackoff())
                .maxBackoff(policy.maxBackoff()).maxRetryAfter(policy.maxRetryAfter());
        return self();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String modelName() {
        return modelName;
    }

    public boolean hasApiKey() {
        return apiKey != null;
    }

    RetryingHttpClientBuilder httpClientBuilder() {
        if (apiKey == null && isOpenAi(baseUrl)) {
            throw new ModelConfigurationException("an API key is needed for " + baseUrl
                    + ": set apiKey(...) or the OPENAI_API_KEY environment variable");
        }
        return RetryingHttpClient.builder()
                .connectTimeout(connectTimeout)
                .readTimeout(timeout)
                .retryPolicy(retry.build())
                .pinTimeouts();
    }

    static boolean isOpenAi(String baseUrl) {
        String host = URI.create(baseUrl).getHost();
        return host != null && host.toLowerCase(Locale.ROOT).endsWith("api.openai.com");
    }

    static String validBaseUrl(String baseUrl, String source) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new ModelConfigurationException(source + " must not be blank; e.g. " + OPENAI_BASE_URL
                    + " or http://localhost:11434/v1");
        }
        String trimmed = baseUrl.strip();
        URI uri;
        try {
            uri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigurationException(source + " '" + trimmed + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new ModelConfigurationException(source + " '" + trimmed
                    + "' must be an http(s) URL with a host, e.g. http://localhost:11434/v1");
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null) {
            throw new ModelConfigurationException(source + " must not carry credentials or a query string;"
                    + " pass the key with apiKey(...) / OPENAI_API_KEY");
        }
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    private static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new ModelConfigurationException(name + " must be positive; got " + value);
        }
        return value;
    }

    /** Describes the configuration; the API key shows only as set or not. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[baseUrl=" + baseUrl + ", modelName=" + modelName
                + ", apiKey=" + (apiKey == null ? "none" : "<redacted>")
                + (temperature == null ? "" : ", temperature=" + temperature)
                + (maxTokens == null ? "" : ", maxTokens=" + maxTokens)
                + ", timeout=" + timeout.toMillis() + "ms, connectTimeout=" + connectTimeout.toMillis()
                + "ms, " + retry.build() + "]";
    }
}
