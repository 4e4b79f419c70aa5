package dev.trellis.framework.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradeAgreementTest {

    private static QAEvaluation graded(Grade... grades) {
        List<QAEvaluation.GradedPrediction> out = new ArrayList<>();
        for (int i = 0; i < grades.length; i++) {
            out.add(new QAEvaluation.GradedPrediction(i, "q" + i, "a" + i, "p" + i, "GRADE: " + grades[i], grades[i]));
        }
        return new QAEvaluation(out);
    }

    @Test
    void aGraderThatSaysIncorrectToEverythingAgreesOftenButTellsNothing() {
        GradeAgreement a = graded(Grade.INCORRECT, Grade.INCORRECT, Grade.INCORRECT, Grade.INCORRECT, Grade.INCORRECT)
                .agreementWith(List.of(true, false, false, false, true));
        assertThat(a.share()).isEqualTo(0.6);
        assertThat(a.kappa()).isEqualTo(0.0);
        assertThat(a.noBetterThanChance()).isTrue();
        assertThat(a).hasToString("0.600 (3/5), kappa 0.00");
    }

    @Test
    void kappaIsCohensOnTheGradedAnswersAlone() {
        // graded: C C I I C I vs T T F T F F (the ungraded third is left out): 4 of 6 agree; chance 0.5
        GradeAgreement a = graded(Grade.CORRECT, Grade.CORRECT, Grade.UNGRADED, Grade.INCORRECT, Grade.INCORRECT,
                Grade.CORRECT, Grade.INCORRECT).agreementWith(List.of(true, true, true, false, true, false, false));
        assertThat(a.graded()).isEqualTo(6);
        assertThat(a.agree()).isEqualTo(4);
        assertThat(a.kappa()).isCloseTo((4.0 / 6 - 0.5) / 0.5, within(1e-12));
        assertThat(a.noBetterThanChance()).isFalse();
        GradeAgreement perfect = graded(Grade.CORRECT, Grade.INCORRECT).agreementWith(List.of(true, false));
        assertThat(perfect.kappa()).isEqualTo(1.0);
        assertThat(perfect.noBetterThanChance()).isFalse();
    }

    @Test
    void nothingGradedOrOneConstantVerdictHasNoKappa() {
        assertThat(graded(Grade.UNGRADED).agreementWith(List.of(true))).hasToString("n/a");
        assertThat(graded(Grade.UNGRADED).agreementWith(List.of(true)).noBetterThanChance()).isFalse();
        GradeAgreement constant = graded(Grade.CORRECT, Grade.CORRECT).agreementWith(List.of(true, true));
        assertThat(constant.kappa()).isNaN();
        assertThat(constant).hasToString("1.000 (2/2), kappa n/a");
        assertThat(constant.noBetterThanChance()).as("undefined kappa: nothing to tell by").isFalse();
    }

    @Test
    void refusesReferenceVerdictsThatDoNotLineUp() {
        assertThatThrownBy(() -> graded(Grade.CORRECT).agreementWith(List.of(true, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 verdicts for 1 examples");
    }
}
