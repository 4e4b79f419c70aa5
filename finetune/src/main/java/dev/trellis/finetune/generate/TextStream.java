package dev.trellis.finetune.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The text of one generated sequence as its token bytes arrive: decodes only complete UTF-8
 * characters, finds the first stop sequence, and releases text that can no longer become part of
 * one, so streamed deltas add up to the final text.
 */
final class TextStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> stops;
    private String text = "";
    private int emitted;
    private boolean stopped;

    TextStream(List<String> stops) {
        this.stops = stops;
    }

    /** Appends a token's bytes; returns true when a stop sequence now appears (the text is cut before it). */
    boolean append(byte[] tokenBytes) {
        if (stopped) {
            return true;
        }
        bytes.writeBytes(tokenBytes);
        byte[] all = bytes.toByteArray();
        text = new String(all, 0, completeLength(all), StandardCharsets.UTF_8);
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s, Math.max(0, emitted - s.length()));
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            text = text.substring(0, cut);
            stopped = true;
        }
        return stopped;
    }

    /** Text not yet released that is safe to release now. */
    String delta() {
        int safe = stopped ? text.length() : text.length() - heldBack();
        if (safe <= emitted) {
            return "";
        }
        String d = text.substring(emitted, safe);
        emitted = safe;
        return d;
    }

    /** The final text (an incomplete trailing character becomes U+FFFD); releases the rest. */
    String finish() {
        if (!stopped) {
            text = bytes.toString(StandardCharsets.UTF_8);
        }
        return text;
    }

    /** The rest of the text after {@link #finish()}. */
    String remainder() {
        String d = emitted < text.length() ? text.substring(emitted) : "";
        emitted = text.length();
        return d;
    }

    /** Length of the longest suffix of the text that is a proper prefix of a stop sequence. */
    private int heldBack() {
        int hold = 0;
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, text.length()); n > hold; n--) {
                if (text.regionMatches(text.length() - n, s, 0, n)) {
                    hold = n;
                    break;
                }
            }
        }
        return hold;
    }

    /** Number of leading bytes that form complete UTF-8 characters. */
    static int completeLength(byte[] b) {
        int n = b.length;
        // Look back at most 3 bytes for the start of an unfinished character.
        for (int i = n - 1; i >= Math.max(0, n - 4); i--) {
            int x = b[i] & 0xFF;
            if (x < 0x80) {
                return n;
            }
            if (x >= 0xC0) {
                int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : 2;
                return n - i >= need ? n : i;
            }
        }
        return n;
    }
}
