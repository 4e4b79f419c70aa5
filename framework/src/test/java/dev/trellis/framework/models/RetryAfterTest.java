package dev.trellis.framework.models;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-28T05:00:00Z"), ZoneOffset.UTC);

    @Test
    void readsDelaySeconds() {
        assertThat(RetryAfter.parse("7", NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("1.5", NOW)).contains(Duration.ofMillis(1500));
    }

    @Test
    void readsHttpDatesRelativeToNow() {
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 05:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 04:59:00 GMT", NOW)).contains(Duration.ZERO);
        String formatted = RetryAfter.httpDate(ZonedDateTime.now(NOW).plusSeconds(90));
        assertThat(formatted).isEqualTo("Sat, 28 Nov 2026 05:01:30 GMT");
        assertThat(RetryAfter.parse(formatted, NOW)).contains(Duration.ofSeconds(90));
    }

    @Test
    void ignoresWhatItCannotRead() {
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse("-3", NOW)).isEmpty();
        assertThat(RetryAfter.parse("", NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    }

    @Test
    void prefersOpenAisMillisecondHeaderAndMatchesNamesCaseInsensitively() {
        Map<String, List<String>> headers = Map.of("Retry-After", List.of("2"), "retry-after-ms", List.of("250"));
        assertThat(RetryAfter.fromHeaders(headers, NOW)).contains(Duration.ofMillis(250));
        assertThat(RetryAfter.fromHeaders(Map.of("retry-after", List.of("3")), NOW)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.fromHeaders(Map.of(), NOW)).isEqualTo(Optional.empty());
    }
}
