package dev.trellis.framework.models;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads how long a server asked the client to wait: {@code retry-after-ms} (OpenAI's
 * millisecond variant) when present, else {@code Retry-After} as delay-seconds or as an
 * HTTP-date (RFC 9110 section 10.2.3). A date in the past means "now".
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** The wait the headers ask for, or empty when they ask for none or cannot be read. */
    public static Optional<Duration> fromHeaders(Map<String, List<String>> headers, Clock clock) {
        Optional<Duration> millis = header(headers, "retry-after-ms").flatMap(RetryAfter::parseMillis);
        if (millis.isPresent()) {
            return millis;
        }
        return header(headers, "retry-after").flatMap(value -> parse(value, clock));
    }

    /** Parses one {@code Retry-After} value: seconds (decimals tolerated) or an HTTP-date. */
    public static Optional<Duration> parse(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        try {
            double seconds = Double.parseDouble(trimmed);
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(clock), when);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    /** Formats an instant as an HTTP-date, the form servers put into {@code Retry-After}. */
    public static String httpDate(ZonedDateTime when) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT).format(when);
    }

    private static Optional<Duration> parseMillis(String value) {
        try {
            double millis = Double.parseDouble(value.trim());
            return millis < 0 || Double.isNaN(millis) || Double.isInfinite(millis)
                    ? Optional.empty() : Optional.of(Duration.ofMillis((long) Math.ceil(millis)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return Optional.ofNullable(entry.getValue().get(0));
            }
        }
        return Optional.empty();
    }
}
