package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * The batch reshaping continuous batching relies on: sequences prefilled apart, merged into one
 * right-aligned cache, decoded together, and dropped, give each sequence the logits it gets alone.
 */
class KvCacheRowsTest {

    private static final long[] SHORT = {3, 17, 5};
    private static final long[] LONG = {9, 2, 44, 31, 8, 12};

    @Test
    void mergedDecodedAndDroppedRowsMatchEachSequenceAlone() {
        for (Map<String, Object> config : new Map[] {TinyModels.gptNeoX(), TinyModels.llama(), TinyModels.gpt2()}) {
            try (CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 5, Device.cpu());
                 NDManager m = NDManager.newBaseManager(Device.cpu())) {
                check(model, m);
            }
        }
    }

    private static void check(CausalLM model, NDManager m) {
        float[] aloneShort = nextLogits(model, m, SHORT, 7);
        float[] aloneLong = nextLogits(model, m, LONG, 7);
        try (KvCache batch = model.newKvCache(); KvCache other = model.newKvCache()) {
            model.forward(m.create(new long[][] {SHORT}), batch);
            model.forward(m.create(new long[][] {LONG}), other);
            long bytesBefore = batch.bytes() + other.bytes();
            batch.absorb(other);
            assertThat(other.rows()).isZero();
            assertThat(batch.rows()).isEqualTo(2);
            assertThat(batch.length()).isEqualTo(LONG.length);
            assertThat(batch.bytes()).isGreaterThan(bytesBefore); // the short row is padded to the long one
            // one step for both, the short row masked on its padding
            long[][] mask = new long[2][LONG.length + 1];
            java.util.Arrays.fill(mask[0], LONG.length - SHORT.length, LONG.length + 1, 1);
            java.util.Arrays.fill(mask[1], 1);
            NDArray out = model.forward(m.create(new long[][] {{7}, {7}}), m.create(mask), batch);
            float[] both = out.toFloatArray();
            int vocab = model.config().vocabSize();
            assertClose(java.util.Arrays.copyOfRange(both, 0, vocab), aloneShort);
            assertClose(java.util.Arrays.copyOfRange(both, vocab, 2 * vocab), aloneLong);

            batch.keepRows(new int[] {0}); // the long sequence leaves: the short one's padding can go too
            assertThat(batch.rows()).isEqualTo(1);
            batch.dropLeft(LONG.length - SHORT.length);
            assertThat(batch.length()).isEqualTo(SHORT.length + 1);
            float[] next = model.forward(m.create(new long[][] {{11}}), batch).toFloatArray();
            assertClose(next, nextLogits(model, m, new long[] {3, 17, 5, 7}, 11));

            assertThatThrownBy(() -> batch.dropLeft(99)).isInstanceOf(IllegalArgumentException.class);
            batch.keepRows(new int[0]);
            assertThat(batch.rows()).isZero();
            assertThat(batch.bytes()).isZero();
        }
    }

    /** The logits after {@code prompt} then {@code token}, decoded alone with a cache. */
    private static float[] nextLogits(CausalLM model, NDManager m, long[] prompt, long token) {
        try (KvCache cache = model.newKvCache()) {
            model.forward(m.create(new long[][] {prompt}), cache);
            return model.forward(m.create(new long[][] {{token}}), cache).toFloatArray();
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }
}
