package dev.trellis.finetune.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level scheme, as Hugging Face's {@code ByteLevel} pre-tokenizer and decoder apply it.
 *
 * <p>Every byte maps to one printable unicode character (so a space becomes {@code Ġ}), which lets
 * a vocabulary of 256 base symbols spell any UTF-8 text and makes decoding lossless.
 */
public final class ByteLevel {

    /** GPT-2's split: contractions, letters, digits, other symbols, and whitespace runs. */
    public static final Pattern PRE_TOKENIZER = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // Printable Latin-1 bytes map to themselves; the rest are shifted above 255, in byte order.
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character standing for byte {@code b} (0..255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The UTF-8 bytes of {@code text}, each written as its byte-level character. */
    public static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    /** Inverse of {@link #encode(String)}. */
    public static String decode(String symbols) {
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(c)
                        + " at " + i + " is not a byte-level symbol");
            }
            bytes[i] = (byte) b;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Splits {@code text} into pre-tokens (before byte mapping) the way GPT-2 does. */
    public static List<String> preTokenize(String text) {
        return preTokenize(text, false);
    }

    /**
     * Splits {@code text} into pre-tokens (before byte mapping). With {@code individualDigits}, every
     * numeric character is a piece of its own first and GPT-2's regex splits the text between them,
     * as Hugging Face's {@code Sequence[Digits(individual_digits), ByteLevel]} does: numbers are
     * then spelled digit by digit, so a model can copy or compare numbers it never saw whole.
     */
    public static List<String> preTokenize(String text, boolean individualDigits) {
        return preTokenize(text, individualDigits, false);
    }

    private static final java.util.regex.Pattern WHITESPACE =
            java.util.regex.Pattern.compile("\\s+", java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

    /**
     * The same, with {@code isolatedSpaces}: runs of whitespace are pieces of their own first (Hugging Face's
     * {@code Split(Regex \s+, Isolated)}), and the rest is split as above.
     */
    public static List<String> preTokenize(String text, boolean individualDigits, boolean isolatedSpaces) {
        if (!isolatedSpaces) {
            return splitPieces(text, individualDigits);
        }
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = WHITESPACE.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                out.addAll(splitPieces(text.substring(last, m.start()), individualDigits));
            }
            out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            out.addAll(splitPieces(text.substring(last), individualDigits));
        }
        return out;
    }

    private static List<String> splitPieces(String text, boolean individualDigits) {
        List<String> out = new ArrayList<>();
        if (!individualDigits) {
            addRegexPieces(text, out);
            return out;
        }
        int runStart = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isNumeric(cp)) {
                addRegexPieces(text.substring(runStart, i), out);
                out.add(text.substring(i, next));
                runStart = next;
            }
            i = next;
        }
        addRegexPieces(text.substring(runStart), out);
        return out;
    }

    /** Rust's {@code char::is_numeric}, which Hugging Face's Digits pre-tokenizer uses: categories Nd, Nl, No. */
    private static boolean isNumeric(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static void addRegexPieces(String text, List<String> out) {
        Matcher m = PRE_TOKENIZER.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
    }
}
