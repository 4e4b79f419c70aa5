package dev.trellis.framework.models;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long to wait before retrying a request to a model server.
 *
 * <p>Retries happen on HTTP 408, 429 and 5xx (except 501 and 505, which do not heal), and on
 * connection failures. A server's {@code Retry-After} (or OpenAI's {@code retry-after-ms}) is
 * honoured: the next attempt never starts earlier than the server asked (a little random
 * extra spreads clients that were told the same instant). A server asking for
 * more than {@link #maxRetryAfter()} is not retried at all, so the caller fails fast with the
 * server's wish in the message instead of hammering it early or blocking for minutes.
 * Without the header the wait is exponential ({@code initialBackoff * 2^(retry-1)}, capped at
 * {@code maxBackoff}) with "equal jitter": half the wait is fixed, half random.
 */
public final class RetryPolicy {

    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;

    private RetryPolicy(Builder builder) {
        this.maxRetries = builder.maxRetries;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.maxRetryAfter = builder.maxRetryAfter;
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff.toMillis()
                    + " ms) must be at least initialBackoff (" + initialBackoff.toMillis() + " ms)");
        }
    }

    /** 3 retries, 0.5 s initial backoff, 8 s maximum backoff, Retry-After honoured up to 60 s. */
    public static RetryPolicy defaults() {
        return builder().build();
    }

    /** No retries at all: the first failure is reported. */
    public static RetryPolicy none() {
        return builder().maxRetries(0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Whether a response with this status may succeed when sent again. */
    public static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
    }

    /**
     * The jittered exponential wait before retry number {@code retry} (1-based), when the server
     * gave no Retry-After: between half and all of {@code min(maxBackoff, initial * 2^(retry-1))}.
     */
    public Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry is 1-based; got " + retry);
        }
        long initial = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        long exponential = retry >= 31 ? cap : Math.min(cap, initial * (1L << (retry - 1)));
        long half = exponential / 2;
        long jitter = half == 0 ? 0 : ThreadLocalRandom.current().nextLong(exponential - half + 1);
        return Duration.ofMillis(half + jitter);
    }

    /**
     * The wait when the server asked for {@code retryAfter}: that much plus up to 10 % (at most
     * 1 s) of random extra, so clients told the same instant do not all return at once. Never
     * less than the server asked.
     */
    public Duration afterRetryAfter(Duration retryAfter) {
        long asked = Math.max(0, retryAfter.toMillis());
        long spread = Math.min(asked / 10, 1000);
        return Duration.ofMillis(asked + (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread + 1)));
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxRetries=" + maxRetries + ", initialBackoff=" + initialBackoff.toMillis()
                + "ms, maxBackoff=" + maxBackoff.toMillis() + "ms, maxRetryAfter=" + maxRetryAfter.toSeconds() + "s]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy other && maxRetries == other.maxRetries
                && initialBackoff.equals(other.initialBackoff) && maxBackoff.equals(other.maxBackoff)
                && maxRetryAfter.equals(other.maxRetryAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRetries, initialBackoff, maxBackoff, maxRetryAfter);
    }

    /** Builder for {@link RetryPolicy}. */
    public static final class Builder {
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(8);
        private Duration maxRetryAfter = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Retries after the first attempt; 0 disables retrying. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0; got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = positive(initialBackoff, "initialBackoff");
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive(maxBackoff, "maxBackoff");
            return this;
        }

        /** The longest Retry-After the client is willing to wait for; a longer one fails at once. */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = positive(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive; got " + value);
            }
            return value;
        }
    }
}
