package dev.trellis.framework.eval;

import dev.trellis.framework.eval.PorterStemmer.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PorterStemmerTest {

    private final PorterStemmer nltk = new PorterStemmer();
    private final PorterStemmer original = new PorterStemmer(Mode.ORIGINAL_ALGORITHM);

    /** Examples printed in Porter's 1980 paper, step by step; every mode agrees on these. */
    @ParameterizedTest
    @CsvSource({
        // step 1a
        "caresses, caress", "ponies, poni", "caress, caress", "cats, cat",
        // step 1b
        "feed, feed", "agreed, agre", "plastered, plaster", "bled, bled", "motoring, motor", "sing, sing",
        "conflated, conflat", "troubled, troubl", "sized, size", "hopping, hop", "tanned, tan",
        "falling, fall", "hissing, hiss", "fizzed, fizz", "failing, fail", "filing, file",
        // step 1c
        "happy, happi",
        // step 2 (then the later steps run too)
        "relational, relat", "conditional, condit", "rational, ration", "digitizer, digit",
        "radicalli, radic", "differentli, differ", "vietnamization, vietnam", "predication, predic",
        "operator, oper", "feudalism, feudal", "decisiveness, decis", "hopefulness, hope",
        "callousness, callous", "formaliti, formal", "sensitiviti, sensit", "sensibiliti, sensibl",
        // step 3
        "triplicate, triplic", "formative, form", "formalize, formal", "electriciti, electr",
        "electrical, electr", "hopeful, hope", "goodness, good",
        // step 4
        "revival, reviv", "allowance, allow", "inference, infer", "airliner, airlin",
        "gyroscopic, gyroscop", "adjustable, adjust", "defensible, defens", "irritant, irrit",
        "replacement, replac", "adjustment, adjust", "dependent, depend", "adoption, adopt",
        "homologou, homolog", "communism, commun", "activate, activ", "angulariti, angular",
        "homologous, homolog", "effective, effect", "bowdlerize, bowdler",
        // step 5
        "probate, probat", "rate, rate", "cease, ceas", "controll, control", "roll, roll",
        // multi-step, from the paper's introduction
        "generalizations, gener", "oscillators, oscil"
    })
    void stemsThePapersExamples(String word, String stem) {
        assertThat(nltk.stem(word)).as("NLTK_EXTENSIONS %s", word).isEqualTo(stem);
        assertThat(original.stem(word)).as("ORIGINAL_ALGORITHM %s", word).isEqualTo(stem);
    }

    @Test
    void nltkExtensionsDifferWhereNltkDocumentsThey() {
        // irregular forms table
        assertThat(nltk.stem("dying")).isEqualTo("die");
        assertThat(nltk.stem("skies")).isEqualTo("sky");
        assertThat(nltk.stem("news")).isEqualTo("news");
        assertThat(original.stem("news")).isEqualTo("new");
        // 4-letter -ies / -ied keep "ie": ties -> tie, died -> die; longer words drop to -i
        assertThat(nltk.stem("ties")).isEqualTo("tie");
        assertThat(original.stem("ties")).isEqualTo("ti");
        assertThat(nltk.stem("died")).isEqualTo("die");
        assertThat(nltk.stem("flies")).isEqualTo("fli");
        assertThat(nltk.stem("spied")).isEqualTo("spi");
        // y -> i only after a consonant: enjoy keeps its y
        assertThat(nltk.stem("enjoy")).isEqualTo("enjoy");
        // -logi -> -log with the l kept on the stem, so short stems like geo- reduce too
        assertThat(nltk.stem("geology")).isEqualTo("geolog");
        assertThat(new PorterStemmer(Mode.MARTIN_EXTENSIONS).stem("geology")).isEqualTo("geologi");
        // words of one or two letters are left alone outside the original algorithm
        assertThat(nltk.stem("is")).isEqualTo("is");
        assertThat(original.stem("is")).isEqualTo("i");
    }

    /**
     * 4,000 words (from license texts and Python sources, plus the paper's examples) with the stems
     * that nltk 3.8's PorterStemmer gives in each of its three modes, 230 of which differ between
     * modes. The file was generated once with NLTK; the stemmer must agree on every line.
     */
    @Test
    void agreesWithNltkOnAVocabularyInEveryMode() throws IOException {
        PorterStemmer martin = new PorterStemmer(Mode.MARTIN_EXTENSIONS);
        List<String> mismatches = new ArrayList<>();
        int lines = 0;
        try (InputStream in = getClass().getResourceAsStream("porter-nltk-3.8.tsv");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                lines++;
                check(mismatches, nltk, f[0], f[1]);
                check(mismatches, martin, f[0], f[2]);
                check(mismatches, original, f[0], f[3]);
            }
        }
        assertThat(lines).isEqualTo(4000);
        assertThat(mismatches).isEmpty();
    }

    private static void check(List<String> mismatches, PorterStemmer stemmer, String word, String expected) {
        String actual = stemmer.stem(word);
        if (!actual.equals(expected)) {
            mismatches.add(stemmer.mode() + " " + word + ": expected " + expected + ", got " + actual);
        }
    }
}
