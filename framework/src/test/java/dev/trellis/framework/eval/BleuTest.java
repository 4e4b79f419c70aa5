package dev.trellis.framework.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BleuTest {

    private static final double EPS = 1e-9;

    @Test
    void tokenizes13a() {
        assertThat(Tokenizer13a.tokenize("Hello, world!")).isEqualTo("Hello , world !");
        // commas and periods inside numbers stay; $ ( ) are split off; "approx." loses its period
        assertThat(Tokenizer13a.tokenize("It costs $3,000.50 (approx.)")).isEqualTo("It costs $ 3,000.50 ( approx . )");
        // a dash after a digit is split, a dash between letters is not
        assertThat(Tokenizer13a.tokenize("2-3 well-known")).isEqualTo("2 - 3 well-known");
        // the padding space makes a sentence-final period after a number split too
        assertThat(Tokenizer13a.tokenize("in 1999.")).isEqualTo("in 1999 .");
        // XML entities are unescaped first, apostrophes are never split
        assertThat(Tokenizer13a.tokenize("&quot;don't&quot; &amp; go")).isEqualTo("\" don't \" & go");
        // <skipped> vanishes, hyphenation across a line break is joined, newlines become spaces
        assertThat(Tokenizer13a.tokenize("co-\noperate<skipped>\nnow")).isEqualTo("cooperate now");
    }

    @Test
    void sentenceBleuOfTheCatOnTheMat() {
        // 13a: hyp "The cat sat on the mat ."  ref "The cat is on the mat ."  (7 tokens each; case matters)
        // 1-grams: The cat on the mat .        = 6/7
        // 2-grams: "The cat" "on the" "the mat" "mat ." = 4/6
        // 3-grams: "on the mat" "the mat ."    = 2/5
        // 4-grams: "on the mat ."               = 1/4
        // BP = 1 (7 = 7); BLEU = 100 * (6/7 * 4/6 * 2/5 * 1/4)^(1/4) = 100 * (2/35)^(1/4) = 48.8923...
        BleuScore s = Bleu.sentenceBleu("The cat sat on the mat.", List.of("The cat is on the mat."));
        assertThat(s.score()).isCloseTo(100 * Math.pow(2.0 / 35, 0.25), within(EPS));
        assertThat(s.score()).isCloseTo(48.8923, within(1e-4));
        assertThat(s.counts()).containsExactly(6, 4, 2, 1);
        assertThat(s.totals()).containsExactly(7, 6, 5, 4);
        assertThat(s.bp()).isEqualTo(1.0);
        assertThat(s.sysLen()).isEqualTo(7);
        assertThat(s.refLen()).isEqualTo(7);
        assertThat(s.toString()).startsWith("BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)");
    }

    @Test
    void sentenceBleuSmoothsZeroCountsExponentiallyOverTheEffectiveOrder() {
        // hyp [the cat], ref [the dog]: 1-grams 1/2 -> 50; 2-grams 0/1 -> exp smoothing 100/(2*1) = 50;
        // no 3-grams in the hypothesis -> effective order 2; BLEU = exp((ln 50 + ln 50)/2) = 50
        BleuScore s = Bleu.sentenceBleu("the cat", List.of("the dog"));
        assertThat(s.score()).isCloseTo(50.0, within(EPS));
        assertThat(s.precisions()).containsExactly(50.0, 50.0, 0.0, 0.0);
        // corpus BLEU does not use the effective order: the missing 3- and 4-gram precisions are 0,
        // sacreBLEU's my_log(0) = -9999999999, so BLEU = exp((2 ln 50 - 2e10)/4) = 0
        assertThat(Bleu.corpusBleu(List.of("the cat"), List.of("the dog")).score()).isEqualTo(0.0);
        // ... unless asked to
        assertThat(Bleu.builder().effectiveOrder(true).build()
                .corpusScore(List.of("the cat"), List.of(List.of("the dog"))).score()).isCloseTo(50.0, within(EPS));
    }

    @Test
    void brevityPenaltyUsesTheClosestReferenceLengthAndTheShorterOnATie() {
        // hyp [a b c] (3); refs of 4 and 2 tokens are both 1 away: the shorter, 2, is used -> BP = 1
        // merged reference n-grams cover a, b, c, "a b", "b c", "a b c": precisions 100/100/100,
        // no 4-grams -> effective order 3 -> BLEU 100
        BleuScore tie = Bleu.sentenceBleu("a b c", List.of("a b c d", "a b"));
        assertThat(tie.refLen()).isEqualTo(2);
        assertThat(tie.bp()).isEqualTo(1.0);
        assertThat(tie.score()).isCloseTo(100.0, within(EPS));
        // with only the 4-token reference: BP = exp(1 - 4/3) = exp(-1/3) -> BLEU 71.653...
        BleuScore longer = Bleu.sentenceBleu("a b c", List.of("a b c d"));
        assertThat(longer.bp()).isCloseTo(Math.exp(-1.0 / 3), within(EPS));
        assertThat(longer.score()).isCloseTo(100 * Math.exp(-1.0 / 3), within(EPS));
        // hyp [a b] vs ref [a b c d]: precisions 2/2, 1/1, effective order 2, BP = exp(1 - 4/2) = e^-1
        assertThat(Bleu.sentenceBleu("a b", List.of("a b c d")).score()).isCloseTo(100 * Math.exp(-1), within(EPS));
        assertThat(Bleu.closestRefLength(5, List.of(7, 3, 6))).isEqualTo(6);
    }

    @Test
    void corpusBleuSumsStatisticsOverSegments() {
        // seg 1: hyp "the cat sat on the mat" ref "the cat sat on a mat" (6 and 6 tokens)
        //   1-grams: the (clipped to 1) cat sat on mat = 5/6; 2-grams: the cat, cat sat, sat on = 3/5
        //   3-grams: the cat sat, cat sat on = 2/4; 4-grams: the cat sat on = 1/3
        // seg 2: "a b c d" vs itself: 4/4, 3/3, 2/2, 1/1
        // totals: 9/10, 6/8, 4/6, 2/4; lengths 10 and 10 -> BP 1
        // BLEU = 100 * (0.9 * 0.75 * (2/3) * 0.5)^(1/4) = 100 * 0.225^(1/4) = 68.8725...
        BleuScore s = Bleu.corpusBleu(List.of("the cat sat on the mat", "a b c d"),
                List.of("the cat sat on a mat", "a b c d"));
        assertThat(s.counts()).containsExactly(9, 6, 4, 2);
        assertThat(s.totals()).containsExactly(10, 8, 6, 4);
        assertThat(s.score()).isCloseTo(100 * Math.pow(0.225, 0.25), within(EPS));
        assertThat(s.score()).isCloseTo(68.8725, within(1e-4));
    }

    @Test
    void multipleReferenceStreamsClipByTheMostGenerousReference() {
        // hyp "the the the"; ref1 "the cat" has one "the", ref2 "the the dog" has two: clip at 2 -> 2/3
        // 2-grams: "the the" x2 vs ref2's one -> 1/2; no 3-grams match... (exp smoothing: 100/(2*1) = 50)
        // closest ref length to 3: ref2 (3) -> BP 1; corpus order 4 and no 4-grams -> total 0 -> break,
        // precision[3] stays 0 -> my_log -> BLEU 0 at corpus level; sentence level uses orders 1..3:
        // BLEU = (66.67 * 50 * 50)^(1/3)
        BleuScore s = Bleu.sentenceBleu("the the the", List.of("the cat", "the the dog"));
        assertThat(s.counts()).containsExactly(2, 1, 0, 0);
        assertThat(s.refLen()).isEqualTo(3);
        assertThat(s.score()).isCloseTo(Math.cbrt(200.0 / 3 * 50 * 50), within(EPS));
        BleuScore corpus = Bleu.builder().build().corpusScore(List.of("the the the"),
                List.of(List.of("the cat"), List.of("the the dog")));
        assertThat(corpus.counts()).containsExactly(2, 1, 0, 0);
        assertThat(corpus.score()).isEqualTo(0.0);
    }

    @Test
    void optionsChangeTokensAsSacreBleuDoes() {
        Bleu lower = Bleu.builder().lowercase(true).build();
        assertThat(lower.sentenceScore("THE CAT", List.of("the cat")).score()).isCloseTo(100.0, within(EPS));
        Bleu none = Bleu.builder().tokenize(Bleu.Tokenize.NONE).build();
        assertThat(none.tokens("end.  ")).containsExactly("end.");
        assertThat(Bleu.builder().build().tokens("end.  ")).containsExactly("end", ".");
        // floor smoothing: zero counts become 0.1/total; sentence "the cat" vs "the dog" -> 1-gram 50, 2-gram 10
        Bleu floor = Bleu.builder().smoothMethod(Bleu.SmoothMethod.FLOOR).build();
        assertThat(floor.sentenceScore("the cat", List.of("the dog")).score()).isCloseTo(Math.sqrt(50 * 10), within(EPS));
        // add-k (k=1) on orders >= 2: 2-gram (0+1)/(1+1) = 50; as in sacreBLEU, k is added before the
        // "no n-grams of this order" check, so 3- and 4-grams become (0+1)/(0+1) = 100 and count:
        // BLEU = (50 * 50 * 100 * 100)^(1/4) = sqrt(5000) = 70.71...
        Bleu addK = Bleu.builder().smoothMethod(Bleu.SmoothMethod.ADD_K).build();
        assertThat(addK.sentenceScore("the cat", List.of("the dog")).score()).isCloseTo(Math.sqrt(5000), within(EPS));
        // no matches at all -> 0 without smoothing a single n-gram
        assertThat(Bleu.sentenceBleu("x y", List.of("a b")).score()).isEqualTo(0.0);
        assertThat(Bleu.sentenceBleu("", List.of("a b")).score()).isEqualTo(0.0);
    }

    @Test
    void rejectsMisalignedOrMissingReferences() {
        assertThatThrownBy(() -> Bleu.corpusBleu(List.of("a", "b"), List.of("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reference stream 0 has 1 segments but there are 2 hypotheses");
        assertThatThrownBy(() -> Bleu.builder().build().corpusScore(List.of("a"), List.of(Arrays.asList((String) null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment 0 has no reference");
        assertThatThrownBy(() -> Bleu.sentenceBleu("a", List.of("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty reference");
    }
}
