package dev.trellis.finetune.generate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Grounded answers: the generated text must be one contiguous span copied from {@code source} (the
 * retrieved context a question was asked over), or one of a few fixed answers (a refusal such as "I don't
 * know; that product is not in the given context."), then end. So a model decoding under it can never
 * produce a price, an id or a name that is not in its context. Built on the same token masking as
 * {@link JsonConstraint}: at each step only the tokens whose bytes keep the text a span (or a fixed answer's
 * prefix) are allowed; the end-of-sequence token once the text is non-empty (a fixed answer: once complete).
 * A span may follow one of a few literal prefixes, the units an answer format puts before a copied value
 * ("$" before a price the context holds as "94.50", "UPF " before "50+"): the value is still copied.
 *
 * @param source       the text answers are copied from
 * @param fixedAnswers whole answers allowed besides spans
 * @param spanPrefixes literals a span may follow; the span after one must still be non-empty
 */
public record SpanConstraint(String source, List<String> fixedAnswers, List<String> spanPrefixes) {

    public SpanConstraint {
        Objects.requireNonNull(source, "source");
        fixedAnswers = List.copyOf(fixedAnswers);
        spanPrefixes = List.copyOf(spanPrefixes);
        if (spanPrefixes.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("an empty span prefix; spans need no prefix, leave it out");
        }
        if (source.isEmpty() && fixedAnswers.isEmpty()) {
            throw new IllegalArgumentException("a span constraint over an empty source with no fixed answers allows nothing;"
                    + " give the context text the answer must come from");
        }
    }

    /** Spans of {@code source} or one of {@code fixedAnswers}, with no prefixes. */
    public SpanConstraint(String source, List<String> fixedAnswers) {
        this(source, fixedAnswers, List.of());
    }

    /** Spans of {@code source} only. */
    public static SpanConstraint of(String source) {
        return new SpanConstraint(source, List.of());
    }

    /** The per-sequence state: which source positions the text generated so far ends at. */
    static final class State {
        private final byte[] source;
        private final byte[][] fixed;
        private final byte[][] prefixes; // the empty prefix first: a bare span
        private byte[] text = new byte[0];
        private final TokenBytes tokenBytes;

        State(SpanConstraint c, TokenBytes tokenBytes) {
            this.source = c.source().getBytes(StandardCharsets.UTF_8);
            this.fixed = c.fixedAnswers().stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            this.prefixes = Stream.concat(Stream.of(""), c.spanPrefixes().stream())
                    .map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            this.tokenBytes = tokenBytes;
        }

        /** Fills {@code allowed}: tokens that keep the text a span or a fixed answer's prefix; {@code eos} when it may end. */
        void allowed(boolean[] allowed, int eos) {
            for (int t = 0; t < allowed.length; t++) {
                byte[] b = tokenBytes.bytes(t);
                allowed[t] = b != null && b.length > 0 && extends_(b);
            }
            if (eos >= 0 && eos < allowed.length) {
                allowed[eos] = isSpan(text, false) || isFixed(text);
            }
        }

        void advance(int token) {
            byte[] b = tokenBytes.bytes(token);
            if (b == null) {
                return;
            }
            byte[] next = new byte[text.length + b.length];
            System.arraycopy(text, 0, next, 0, text.length);
            System.arraycopy(b, 0, next, text.length, b.length);
            text = next;
        }

        private boolean extends_(byte[] b) {
            byte[] candidate = new byte[text.length + b.length];
            System.arraycopy(text, 0, candidate, 0, text.length);
            System.arraycopy(b, 0, candidate, text.length, b.length);
            if (isSpan(candidate, true)) {
                return true;
            }
            for (byte[] f : fixed) {
                if (startsWith(f, candidate)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether {@code t} is a prefix then a non-empty span of the source; with {@code partial}, also while
         * {@code t} is still part of a prefix (or that prefix whole, the span yet to come).
         */
        private boolean isSpan(byte[] t, boolean partial) {
            for (byte[] p : prefixes) {
                if (t.length <= p.length) {
                    if (partial && startsWith(p, t) && t.length > 0) {
                        return true;
                    }
                } else if (startsWith(t, p) && occurs(source, t, p.length)) {
                    return true;
                }
            }
            return false;
        }

        private boolean isFixed(byte[] t) {
            for (byte[] f : fixed) {
                if (java.util.Arrays.equals(f, t)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean startsWith(byte[] whole, byte[] prefix) {
            return prefix.length <= whole.length && java.util.Arrays.equals(whole, 0, prefix.length, prefix, 0, prefix.length);
        }

        /** Whether {@code needle} from index {@code from} on occurs in {@code hay}. */
        private static boolean occurs(byte[] hay, byte[] needle, int from) {
            int n = needle.length - from;
            outer:
            for (int i = 0; i + n <= hay.length; i++) {
                for (int j = 0; j < n; j++) {
                    if (hay[i + j] != needle[from + j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
