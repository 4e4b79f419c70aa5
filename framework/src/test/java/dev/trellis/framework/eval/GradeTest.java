package dev.trellis.framework.eval;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GradeTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // an explicit GRADE line wins, in any case, anywhere
        "GRADE: CORRECT | CORRECT",
        "GRADE: INCORRECT | INCORRECT",
        "The student missed the point; grade:   incorrect | INCORRECT",
        // else the first word, without punctuation
        "Correct. The answer names the collection. | CORRECT",
        "INCORRECT - the pullover has no side pockets | INCORRECT",
        // else the last word
        "The student's answer is correct. | CORRECT",
        "I would say this is **incorrect** | INCORRECT",
        // anything else is not guessed
        "The answer is partially right | UNGRADED",
        "Correctness is hard to judge here | UNGRADED",
        "GRADE: unsure | UNGRADED",
        "'' | UNGRADED",
    })
    void readsGradesLikeLangChain(String text, Grade expected) {
        assertThat(Grade.parse(text)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void findsTheGradeLineAfterReasoning() {
        assertThat(Grade.parse("The student names the wrong line.\nGRADE: INCORRECT\n")).isEqualTo(Grade.INCORRECT);
        assertThat(Grade.parse("  \n ")).isEqualTo(Grade.UNGRADED);
    }
}
