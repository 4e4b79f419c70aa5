package dev.trellis.framework.eval;

import java.util.Map;
import java.util.Objects;

/**
 * The Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", Program 14.3, 1980),
 * with the three modes of NLTK's {@code nltk.stem.porter.PorterStemmer}.
 *
 * <p>{@link Mode#NLTK_EXTENSIONS} is NLTK's default and therefore what Google's
 * {@code rouge-score} package uses when {@code use_stemmer=True}; {@link RougeScorer} uses it so
 * that stemmed ROUGE matches the Python numbers. Instances are immutable and thread-safe.
 */
public final class PorterStemmer {

    /** Which variant of the algorithm to run (the names of NLTK's modes). */
    public enum Mode {
        /** The 1980 paper, unchanged (Porter himself recommends against it). */
        ORIGINAL_ALGORITHM,
        /** The paper plus the changes in Martin Porter's reference implementations. */
        MARTIN_EXTENSIONS,
        /** Martin's extensions plus NLTK's own (irregular forms, -ies/-ied of 4-letter words...). */
        NLTK_EXTENSIONS
    }

    // NLTK's table of irregular forms: the word on the left stems to the word on the right.
    private static final Map<String, String> IRREGULAR_FORMS = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"),
            Map.entry("dying", "die"), Map.entry("lying", "lie"), Map.entry("tying", "tie"),
            Map.entry("news", "news"),
            Map.entry("innings", "inning"), Map.entry("inning", "inning"),
            Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"),
            Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private final Mode mode;

    /** A stemmer in NLTK's default mode, {@link Mode#NLTK_EXTENSIONS}. */
    public PorterStemmer() {
        this(Mode.NLTK_EXTENSIONS);
    }

    public PorterStemmer(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    public Mode mode() {
        return mode;
    }

    /** Stems one word; the word is lower-cased first, as NLTK does by default. */
    public String stem(String word) {
        Objects.requireNonNull(word, "word");
        String stem = word.toLowerCase(java.util.Locale.ROOT);
        if (mode == Mode.NLTK_EXTENSIONS && IRREGULAR_FORMS.containsKey(stem)) {
            return IRREGULAR_FORMS.get(stem);
        }
        if (mode != Mode.ORIGINAL_ALGORITHM && stem.length() <= 2) {
            return stem;
        }
        if (stem.isEmpty()) {
            return stem;
        }
        stem = step1a(stem);
        stem = step1b(stem);
        stem = step1c(stem);
        stem = step2(stem);
        stem = step3(stem);
        stem = step4(stem);
        stem = step5a(stem);
        stem = step5b(stem);
        return stem;
    }

    // ---- definitions from the paper ---------------------------------------------------------

    private static boolean isConsonant(String word, int i) {
        char c = word.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(word, i - 1);
        }
        return true;
    }

    /** m in [C](VC){m}[V]: the number of vowel-consonant transitions. */
    private static int measure(String stem) {
        int m = 0;
        for (int i = 1; i < stem.length(); i++) {
            if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) {
                m++;
            }
        }
        return m;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    /** *d: ends with a double consonant. */
    private static boolean endsDoubleConsonant(String word) {
        int n = word.length();
        return n >= 2 && word.charAt(n - 1) == word.charAt(n - 2) && isConsonant(word, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK also accepts a 2-letter vc word). */
    private boolean endsCvc(String word) {
        int n = word.length();
        if (n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1)) {
            char last = word.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') {
                return true;
            }
        }
        return mode == Mode.NLTK_EXTENSIONS && n == 2 && !isConsonant(word, 0) && isConsonant(word, 1);
    }

    private static String cut(String word, String suffix) {
        return word.substring(0, word.length() - suffix.length());
    }

    private interface Condition {
        boolean test(String stem);
    }

    private record Rule(String suffix, String replacement, Condition condition) {
    }

    private static final Condition ALWAYS = stem -> true;

    /**
     * Applies the first rule whose suffix matches; if its condition fails no later rule is tried
     * (the paper's "longest matching suffix" reading, as NLTK implements it).
     */
    private static String applyRules(String word, Rule... rules) {
        for (Rule rule : rules) {
            if (word.endsWith(rule.suffix)) {
                String stem = cut(word, rule.suffix);
                return rule.condition.test(stem) ? stem + rule.replacement : word;
            }
        }
        return word;
    }

    // ---- the steps ---------------------------------------------------------------------------

    private String step1a(String word) {
        if (mode == Mode.NLTK_EXTENSIONS && word.endsWith("ies") && word.length() == 4) {
            return cut(word, "ies") + "ie"; // dies -> die, but flies -> fli
        }
        return applyRules(word,
                new Rule("sses", "ss", ALWAYS),
                new Rule("ies", "i", ALWAYS),
                new Rule("ss", "ss", ALWAYS),
                new Rule("s", "", ALWAYS));
    }

    private String step1b(String word) {
        if (mode == Mode.NLTK_EXTENSIONS && word.endsWith("ied")) {
            return cut(word, "ied") + (word.length() == 4 ? "ie" : "i"); // died -> die, spied -> spi
        }
        if (word.endsWith("eed")) {
            String stem = cut(word, "eed");
            return measure(stem) > 0 ? stem + "ee" : word;
        }
        String stem = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (word.endsWith(suffix) && containsVowel(cut(word, suffix))) {
                stem = cut(word, suffix);
                break;
            }
        }
        if (stem == null) {
            return word;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : stem.substring(0, stem.length() - 1);
        }
        if (measure(stem) == 1 && endsCvc(stem)) {
            return stem + "e";
        }
        return stem;
    }

    private String step1c(String word) {
        Condition condition = mode == Mode.NLTK_EXTENSIONS
                // y -> i only after a consonant that is not the whole stem: happy -> happi, enjoy -> enjoy
                ? stem -> stem.length() > 1 && isConsonant(stem, stem.length() - 1)
                : PorterStemmer::containsVowel;
        return applyRules(word, new Rule("y", "i", condition));
    }

    private String step2(String word) {
        Condition m0 = stem -> measure(stem) > 0;
        if (mode == Mode.NLTK_EXTENSIONS && word.endsWith("alli") && measure(cut(word, "alli")) > 0) {
            return step2(cut(word, "alli") + "al");
        }
        Rule bli = mode == Mode.ORIGINAL_ALGORITHM ? new Rule("abli", "able", m0) : new Rule("bli", "ble", m0);
        Rule[] common = {
            new Rule("ational", "ate", m0),
            new Rule("tional", "tion", m0),
            new Rule("enci", "ence", m0),
            new Rule("anci", "ance", m0),
            new Rule("izer", "ize", m0),
            bli,
            new Rule("alli", "al", m0),
            new Rule("entli", "ent", m0),
            new Rule("eli", "e", m0),
            new Rule("ousli", "ous", m0),
            new Rule("ization", "ize", m0),
            new Rule("ation", "ate", m0),
            new Rule("ator", "ate", m0),
            new Rule("alism", "al", m0),
            new Rule("iveness", "ive", m0),
            new Rule("fulness", "ful", m0),
            new Rule("ousness", "ous", m0),
            new Rule("aliti", "al", m0),
            new Rule("iviti", "ive", m0),
            new Rule("biliti", "ble", m0),
        };
        Rule[] rules;
        if (mode == Mode.NLTK_EXTENSIONS) {
            rules = java.util.Arrays.copyOf(common, common.length + 2);
            rules[common.length] = new Rule("fulli", "ful", m0);
            // the 'l' of -logi stays with the stem, so geo-logi and archaeo-logi behave alike
            rules[common.length + 1] = new Rule("logi", "log",
                    stem -> measure(word.substring(0, word.length() - 3)) > 0);
        } else if (mode == Mode.MARTIN_EXTENSIONS) {
            rules = java.util.Arrays.copyOf(common, common.length + 1);
            rules[common.length] = new Rule("logi", "log", m0);
        } else {
            rules = common;
        }
        return applyRules(word, rules);
    }

    private static String step3(String word) {
        Condition m0 = stem -> measure(stem) > 0;
        return applyRules(word,
                new Rule("icate", "ic", m0),
                new Rule("ative", "", m0),
                new Rule("alize", "al", m0),
                new Rule("iciti", "ic", m0),
                new Rule("ical", "ic", m0),
                new Rule("ful", "", m0),
                new Rule("ness", "", m0));
    }

    private static String step4(String word) {
        Condition m1 = stem -> measure(stem) > 1;
        return applyRules(word,
                new Rule("al", "", m1),
                new Rule("ance", "", m1),
                new Rule("ence", "", m1),
                new Rule("er", "", m1),
                new Rule("ic", "", m1),
                new Rule("able", "", m1),
                new Rule("ible", "", m1),
                new Rule("ant", "", m1),
                new Rule("ement", "", m1),
                new Rule("ment", "", m1),
                new Rule("ent", "", m1),
                new Rule("ion", "", stem -> measure(stem) > 1 && !stem.isEmpty()
                        && (stem.charAt(stem.length() - 1) == 's' || stem.charAt(stem.length() - 1) == 't')),
                new Rule("ou", "", m1),
                new Rule("ism", "", m1),
                new Rule("ate", "", m1),
                new Rule("iti", "", m1),
                new Rule("ous", "", m1),
                new Rule("ive", "", m1),
                new Rule("ize", "", m1));
    }

    private String step5a(String word) {
        // both rules are tried (unlike applyRules): (m>1) E -> ; (m=1 and not *o) E ->
        if (word.endsWith("e")) {
            String stem = cut(word, "e");
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return word;
    }

    private static String step5b(String word) {
        // (m>1 and *d and *L) -> single letter; NLTK measures the word minus one 'l'
        if (word.endsWith("ll") && measure(word.substring(0, word.length() - 1)) > 1) {
            return word.substring(0, word.length() - 1);
        }
        return word;
    }
}
