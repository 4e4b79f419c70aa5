package dev.trellis.framework.eval;

import dev.trellis.framework.eval.ExactMatch.Normalization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExactMatchTest {

    @Test
    void trimsByDefaultAndNothingElse() {
        assertThat(ExactMatch.matches("  Yes\n", "Yes")).isTrue();
        assertThat(ExactMatch.matches("yes", "Yes")).isFalse();
        assertThat(ExactMatch.matches("Yes.", "Yes")).isFalse();
    }

    @Test
    void lenientIgnoresCasePunctuationAndSpacing() {
        assertThat(ExactMatch.matches("Yes.", "yes", Normalization.LENIENT)).isTrue();
        assertThat(ExactMatch.matches("The  DownTek\tcollection!", "the downtek collection", Normalization.LENIENT)).isTrue();
        assertThat(ExactMatch.normalize("“Ｈello”, world?", Normalization.LENIENT)).isEqualTo("hello world");
        assertThat(ExactMatch.matches("yes", "no", Normalization.LENIENT)).isFalse();
        assertThat(ExactMatch.matchesAny("No", List.of("yes", "no"), Normalization.LENIENT)).isTrue();
    }

    @Test
    void scoresTheFractionOfMatches() {
        // 2 of 3 match after trimming
        assertThat(ExactMatch.score(List.of("a", " b ", "c"), List.of("a", "b", "x"))).isEqualTo(2.0 / 3);
        assertThatThrownBy(() -> ExactMatch.score(List.of("a"), List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 predictions and 2 references");
        assertThatThrownBy(() -> ExactMatch.score(List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
