package dev.trellis.finetune.train;

import dev.trellis.finetune.data.PreparationSummary;
import dev.trellis.finetune.data.Side;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Token-id tasks that isolate one ability of a decoder: repeating a random sequence (induction) and
 * associative recall (a value looked up by its key, as a context question does). Keys are ids
 * {@value #KEY0}.., values {@value #VALUE0}..; labels only where the answer is determined by the input.
 */
final class SyntheticSequences {

    static final int SEPARATOR = 1;
    static final int KEY0 = 10;
    static final int KEYS = 100;
    static final int VALUE0 = 120;
    static final int VALUES = 100;
    /** Every id used is below this. */
    static final int VOCAB = 256;

    private SyntheticSequences() {
    }

    /** {@code half} random keys, then the same again; the repeat (after its first token) is labelled. */
    static TokenizedExample repeat(Random r, int half) {
        int[] ids = new int[2 * half];
        int[] labels = new int[2 * half];
        for (int i = 0; i < half; i++) {
            ids[i] = ids[i + half] = KEY0 + r.nextInt(KEYS);
            labels[i] = TokenizedExample.IGNORE_INDEX;
        }
        for (int i = half; i < 2 * half; i++) {
            labels[i] = i == half ? TokenizedExample.IGNORE_INDEX : ids[i];
        }
        return new TokenizedExample(ids, labels);
    }

    /** {@code pairs} distinct keys each followed by a random value, a separator, then {@code queries} keys each followed by its value (labelled). */
    static TokenizedExample recall(Random r, int pairs, int queries) {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(KEY0 + i);
        }
        Collections.shuffle(keys, r);
        int[] values = new int[pairs];
        int n = 2 * pairs + 1 + 2 * queries;
        int[] ids = new int[n];
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, TokenizedExample.IGNORE_INDEX);
        for (int i = 0; i < pairs; i++) {
            values[i] = VALUE0 + r.nextInt(VALUES);
            ids[2 * i] = keys.get(i);
            ids[2 * i + 1] = values[i];
        }
        ids[2 * pairs] = SEPARATOR;
        for (int q = 0; q < queries; q++) {
            int i = r.nextInt(pairs);
            int at = 2 * pairs + 1 + 2 * q;
            ids[at] = keys.get(i);
            ids[at + 1] = values[i];
            labels[at + 1] = values[i];
        }
        return new TokenizedExample(ids, labels);
    }

    static TokenizedDataset dataset(List<TokenizedExample> examples) {
        return new TokenizedDataset(examples, 0, new PreparationSummary("synthetic", Map.of(), 512, Side.RIGHT, false, false,
                examples.size(), examples.size(), 0, 0, 0, 0), List.of());
    }
}
