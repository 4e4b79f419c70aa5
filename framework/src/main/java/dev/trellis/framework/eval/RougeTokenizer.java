package dev.trellis.framework.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The tokenizer of Google's {@code rouge-score} package ({@code rouge_score/tokenize.py}):
 * lower-case, replace every run of characters outside {@code [a-z0-9]} with a space, split on
 * whitespace, stem tokens longer than 3 characters with NLTK's Porter stemmer when asked, and
 * drop empty tokens. Non-ASCII letters therefore separate words ("café" gives "caf").
 */
public final class RougeTokenizer {

    private static final Pattern NON_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");

    private final PorterStemmer stemmer;

    private RougeTokenizer(PorterStemmer stemmer) {
        this.stemmer = stemmer;
    }

    /** Tokenizes without stemming (rouge-score's {@code use_stemmer=False}). */
    public static RougeTokenizer plain() {
        return new RougeTokenizer(null);
    }

    /** Tokenizes with NLTK's default Porter stemmer (rouge-score's {@code use_stemmer=True}). */
    public static RougeTokenizer stemming() {
        return new RougeTokenizer(new PorterStemmer(PorterStemmer.Mode.NLTK_EXTENSIONS));
    }

    public boolean stems() {
        return stemmer != null;
    }

    public List<String> tokenize(String text) {
        Objects.requireNonNull(text, "text");
        String cleaned = NON_ALPHANUMERIC.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
        List<String> tokens = new ArrayList<>();
        for (String token : cleaned.split(" ")) {
            if (token.isEmpty()) {
                continue;
            }
            // rouge-score stems only tokens longer than 3 characters
            tokens.add(stemmer != null && token.length() > 3 ? stemmer.stem(token) : token);
        }
        return tokens;
    }
}
