package dev.trellis.finetune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hugging Face's group_by_length: every example once per epoch, less padding, the same batches for the same seed. */
class LengthGroupedBatchesTest {

    /** 1,000 examples of 10 to 260 tokens; the first token is the example's number, so each can be told apart. */
    private static TokenizedDataset dataset() {
        Random r = new Random(3);
        List<TokenizedExample> examples = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int n = 10 + r.nextInt(251);
            int[] ids = new int[n];
            ids[0] = i;
            int[] labels = new int[n];
            java.util.Arrays.fill(labels, TokenizedExample.IGNORE_INDEX);
            labels[n - 1] = 7;
            int[] pos = new int[n];
            for (int t = 0; t < n; t++) {
                pos[t] = t;
            }
            examples.add(new TokenizedExample(ids, labels, pos));
        }
        return new TokenizedDataset(examples, -1, null, List.of());
    }

    private static double paddingShare(List<Batch> batches) {
        long padded = 0;
        long real = 0;
        for (Batch b : batches) {
            padded += (long) b.batchSize() * b.sequenceLength();
            real += b.tokenCount();
        }
        return 1 - (double) real / padded;
    }

    @Test
    void everyExampleOnceWithLittlePaddingAndTheSameBatchesForASeed() {
        TokenizedDataset data = dataset();
        List<Batch> grouped = data.lengthGroupedBatches(8, 42);

        Set<Integer> seen = new HashSet<>();
        for (Batch b : grouped) {
            for (int[] row : b.inputIds()) {
                assertThat(seen.add(row[0])).as("example %d twice", row[0]).isTrue();
            }
        }
        assertThat(seen).hasSize(1000);
        assertThat(grouped).hasSize(125);

        double plain = paddingShare(data.shuffle(42).batches(8));
        double less = paddingShare(grouped);
        assertThat(plain).isGreaterThan(0.3);
        assertThat(less).as("padding share grouped vs plain %.3f", plain).isLessThan(0.02);

        List<Batch> again = data.lengthGroupedBatches(8, 42);
        List<Batch> other = data.lengthGroupedBatches(8, 43);
        assertThat(firstTokens(again)).isEqualTo(firstTokens(grouped));
        assertThat(firstTokens(other)).isNotEqualTo(firstTokens(grouped));
        // the batch order is shuffled too: lengths do not fall group after group
        List<Integer> lengths = grouped.stream().map(Batch::sequenceLength).toList();
        assertThat(lengths).isNotEqualTo(lengths.stream().sorted(java.util.Comparator.reverseOrder()).toList());
        assertThatThrownBy(() -> data.lengthGroupedBatches(0, 1)).hasMessageContaining("batchSize");
    }

    private static List<Integer> firstTokens(List<Batch> batches) {
        List<Integer> out = new ArrayList<>();
        for (Batch b : batches) {
            for (int[] row : b.inputIds()) {
                out.add(row[0]);
            }
        }
        return out;
    }
}
