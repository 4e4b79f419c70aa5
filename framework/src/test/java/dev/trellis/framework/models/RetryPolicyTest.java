package dev.trellis.framework.models;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    @Test
    void backoffDoublesWithJitterAndIsCapped() {
        RetryPolicy policy = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(1000)).build();
        for (int i = 0; i < 200; i++) {
            assertThat(policy.backoff(1).toMillis()).isBetween(50L, 100L);
            assertThat(policy.backoff(3).toMillis()).isBetween(200L, 400L);
            assertThat(policy.backoff(10).toMillis()).isBetween(500L, 1000L);
            assertThat(policy.backoff(60).toMillis()).isBetween(500L, 1000L);
        }
    }

    @Test
    void jitterActuallyVaries() {
        RetryPolicy policy = RetryPolicy.builder().initialBackoff(Duration.ofSeconds(1)).build();
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> policy.backoff(2)).distinct().count())
                .isGreaterThan(5);
    }

    @Test
    void serverDelaysGetOnlyPositiveBoundedJitter() {
        RetryPolicy policy = RetryPolicy.defaults();
        for (int i = 0; i < 200; i++) {
            assertThat(policy.afterRetryAfter(Duration.ofSeconds(2)).toMillis()).isBetween(2000L, 2200L);
            assertThat(policy.afterRetryAfter(Duration.ofSeconds(30)).toMillis()).isBetween(30000L, 31000L);
        }
        assertThat(policy.afterRetryAfter(Duration.ZERO)).isEqualTo(Duration.ZERO);
    }

    @Test
    void retryableStatuses() {
        assertThat(RetryPolicy.isRetryableStatus(429)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(503)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(500)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(408)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(501)).isFalse();
        assertThat(RetryPolicy.isRetryableStatus(400)).isFalse();
        assertThat(RetryPolicy.isRetryableStatus(401)).isFalse();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxRetries(-1)).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ZERO)).hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build())
                .hasMessageContaining("maxBackoff");
        assertThat(RetryPolicy.none().maxRetries()).isZero();
    }
}
