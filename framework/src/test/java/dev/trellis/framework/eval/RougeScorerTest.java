package dev.trellis.framework.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RougeScorerTest {

    private static final double EPS = 1e-12;

    @Test
    void tokenizesLikeRougeScore() {
        assertThat(RougeTokenizer.plain().tokenize("  Hello, World! It's 2024-05 -- Café\tau lait "))
                .containsExactly("hello", "world", "it", "s", "2024", "05", "caf", "au", "lait");
        // stemming touches only tokens longer than 3 characters: "cats" -> "cat", "ties" stays 4 -> "tie"
        assertThat(RougeTokenizer.stemming().tokenize("The cats are running ties"))
                .containsExactly("the", "cat", "are", "run", "tie");
        assertThat(RougeTokenizer.plain().tokenize("!!! ...")).isEmpty();
    }

    @Test
    void scoresTheQuickBrownFox() {
        // target:     the quick brown fox jumps over the lazy dog   (9 tokens)
        // prediction: the quick brown dog jumps on the log           (8 tokens)
        Map<String, RougeScore> s = RougeScorer.of("rouge1", "rouge2", "rougeL")
                .score("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");

        // rouge1: clipped overlap the:min(2,2)=2 + quick + brown + jumps + dog = 6
        //   P = 6/8 = 0.75, R = 6/9 = 2/3, F = 2PR/(P+R) = 1/(17/12) = 12/17
        assertScore(s.get("rouge1"), 6.0 / 8, 6.0 / 9, 12.0 / 17);
        // rouge2: target bigrams 8, prediction bigrams 7, shared "the quick", "quick brown" = 2
        //   P = 2/7, R = 2/8, F = 2(2/7)(1/4)/(2/7 + 1/4) = (1/7)/(15/28) = 4/15
        assertScore(s.get("rouge2"), 2.0 / 7, 2.0 / 8, 4.0 / 15);
        // rougeL: LCS = the quick brown jumps the = 5
        //   P = 5/8, R = 5/9, F = 2(25/72)/(85/72) = 10/17
        assertScore(s.get("rougeL"), 5.0 / 8, 5.0 / 9, 10.0 / 17);
        assertThat(s.keySet()).containsExactly("rouge1", "rouge2", "rougeL");
    }

    @Test
    void stemmingMatchesInflectedForms() {
        // stemmed target: the cat are run (4); prediction: a cat ran (3, none longer than 3)
        // only "cat" is shared: P = 1/3, R = 1/4, F = 2(1/12)/(7/12) = 2/7
        RougeScorer stemmed = RougeScorer.builder().rougeTypes("rouge1").useStemmer(true).build();
        assertScore(stemmed.score("The cats are running", "a cat ran").get("rouge1"), 1.0 / 3, 1.0 / 4, 2.0 / 7);
        // without stemming "cats" != "cat": nothing is shared
        assertScore(RougeScorer.of("rouge1").score("The cats are running", "a cat ran").get("rouge1"), 0, 0, 0);
    }

    @Test
    void rougeLsumUnitesLcsOverNewlineSeparatedSentences() {
        // target sentences r1 = [a b c], r2 = [d e]; prediction c1 = [a c e], c2 = [b d]; m = n = 5
        // r1: LCS(r1,c1) = {a,c} (indices 0,2), LCS(r1,c2) = {b} (1) -> union a b c -> 3 hits
        // r2: LCS(r2,c1) = {e}, LCS(r2,c2) = {d} -> union d e -> 2 hits; P = R = 5/5
        // rougeL over the flat texts [a b c d e] vs [a c e b d]: LCS = 3 -> P = R = F = 3/5
        Map<String, RougeScore> s = RougeScorer.of("rougeL", "rougeLsum").score("a b c\nd e", "a c e\nb d");
        assertScore(s.get("rougeLsum"), 1, 1, 1);
        assertScore(s.get("rougeL"), 0.6, 0.6, 0.6);
    }

    @Test
    void rougeLsumCountsEachTokenAtMostAsOftenAsItOccurs() {
        // target r1 = r2 = [x y]; prediction c1 = [x y]; m = 4, n = 2
        // r1 takes x and y (hits 2); the prediction's x and y are then used up, r2 adds nothing
        // P = 2/2 = 1, R = 2/4 = 1/2, F = 2(1/2)/(3/2) = 2/3
        RougeScore s = RougeScorer.of("rougeLsum").score("x y\nx y", "x y").get("rougeLsum");
        assertScore(s, 1, 0.5, 2.0 / 3);
    }

    @Test
    void emptyTextsScoreZero() {
        Map<String, RougeScore> s = RougeScorer.builder().build().score("", "some words");
        assertThat(s.keySet()).containsExactly("rouge1", "rouge2", "rougeL", "rougeLsum");
        s.values().forEach(score -> assertScore(score, 0, 0, 0));
        // a prediction with no tokens: precision over max(0, 1) = 1 n-grams is 0, not NaN
        assertScore(RougeScorer.of("rouge1").score("words", "...").get("rouge1"), 0, 0, 0);
    }

    @Test
    void scoreMultiKeepsTheBestFPerType() {
        // vs "the cat":   rouge1 overlap {the}:      P = 1/3, R = 1/2, F = 2(1/6)/(5/6) = 2/5
        // vs "a dog sat": rouge1 overlap {dog, sat}: P = 2/3, R = 2/3, F = 2/3   <- best
        Map<String, RougeScore> best = RougeScorer.of("rouge1").scoreMulti(List.of("the cat", "a dog sat"), "the dog sat");
        assertScore(best.get("rouge1"), 2.0 / 3, 2.0 / 3, 2.0 / 3);
        // ties keep the first target's score
        RougeScorer scorer = RougeScorer.of("rouge1");
        assertThat(scorer.scoreMulti(List.of("x a", "x b c"), "x").get("rouge1"))
                .isEqualTo(scorer.score("x a", "x").get("rouge1"));
    }

    @Test
    void meanAveragesEachComponent() {
        RougeScorer scorer = RougeScorer.of("rouge1");
        Map<String, RougeScore> mean = RougeScorer.mean(List.of(scorer.score("a b", "a b"), scorer.score("a b", "c")));
        assertScore(mean.get("rouge1"), 0.5, 0.5, 0.5);
    }

    @Test
    void rejectsUnknownTypesNamingThem() {
        assertThatThrownBy(() -> RougeScorer.of("rougeX")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'rougeX'").hasMessageContaining("rouge1..rouge9");
        assertThatThrownBy(() -> RougeScorer.of("rouge0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RougeScorer.of("rouge1").scoreMulti(List.of(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one target");
    }

    private static void assertScore(RougeScore s, double precision, double recall, double f) {
        assertThat(s.precision()).as("precision").isCloseTo(precision, within(EPS));
        assertThat(s.recall()).as("recall").isCloseTo(recall, within(EPS));
        assertThat(s.fmeasure()).as("fmeasure").isCloseTo(f, within(EPS));
    }
}
