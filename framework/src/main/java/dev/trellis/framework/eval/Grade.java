package dev.trellis.framework.eval;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A teacher model's verdict on one prediction. */
public enum Grade {
    CORRECT,
    INCORRECT,
    /** The grader's answer said neither CORRECT nor INCORRECT where we look for it: not guessed. */
    UNGRADED;

    private static final Pattern GRADE_LINE = Pattern.compile("grade:\\s*(correct|incorrect)", Pattern.CASE_INSENSITIVE);
    private static final Pattern ASCII_PUNCTUATION = Pattern.compile("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]");

    /**
     * Reads a grade as LangChain's QA evaluator does: a {@code GRADE: CORRECT} / {@code GRADE:
     * INCORRECT} anywhere (any case), else the first word, else the last word, each without ASCII
     * punctuation; anything else is {@link #UNGRADED}.
     */
    public static Grade parse(String text) {
        Objects.requireNonNull(text, "text");
        String stripped = text.strip();
        Matcher m = GRADE_LINE.matcher(stripped);
        if (m.find()) {
            return m.group(1).equalsIgnoreCase("correct") ? CORRECT : INCORRECT;
        }
        String[] words = stripped.split("\\s+");
        if (stripped.isEmpty()) {
            return UNGRADED;
        }
        Grade first = word(words[0]);
        return first != UNGRADED ? first : word(words[words.length - 1]);
    }

    private static Grade word(String word) {
        String w = ASCII_PUNCTUATION.matcher(word).replaceAll("").toUpperCase(Locale.ROOT);
        return w.equals("CORRECT") ? CORRECT : w.equals("INCORRECT") ? INCORRECT : UNGRADED;
    }
}
