package dev.trellis.finetune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GroupedCorpusTest {

    @Test
    void fromVersionFourAGradingExercisesLossIsItsGradeAlone() throws Exception {
        Path dir = ShippedBase.directory();
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            ReadingCorpus.Example grading = new ReadingCorpus(5, 4).grading();
            int eos = tokenizer.eosTokenId();
            TokenizedExample gradeOnly = GroupedCorpus.fromAnswer(grading, tokenizer, eos);
            assertThat(tokenizer.decode(counted(gradeOnly)).strip()).isEqualTo(grading.answer());
            TokenizedExample fromQuestion = GroupedCorpus.fromQuestion(grading.text(), tokenizer, eos);
            assertThat(counted(fromQuestion).length).as("versions 1-3 count the question and both answers too")
                    .isGreaterThan(counted(gradeOnly).length + 10);
        }
    }

    /** The tokens a loss counts, without the end-of-text token. */
    private static int[] counted(TokenizedExample e) {
        return java.util.stream.IntStream.range(0, e.length()).filter(i -> e.labels()[i] != TokenizedExample.IGNORE_INDEX)
                .map(i -> e.labels()[i]).limit(Math.max(0, e.labelCount() - 1)).toArray();
    }
}
