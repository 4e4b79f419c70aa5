package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused decoding step (plain Java, {@link FusedDecode}) against the DJL path on the same int8 model:
 * every scenario runs twice, fused and with the fused step switched off, and the logits of every call
 * must agree to 1e-4 of the row's largest logit, greedy choices alike. Scenarios: greedy decoding after a
 * prompt; left-, right- and unpadded rows with a mask; a multi-token DJL call between fused steps on one cache;
 * continuous batching's row selection and column dropping between fused steps.
 */
class FusedDecodeParityTest {

    static final double RELATIVE = 1e-4;

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        Map<String, Object> neoxGeluTanh = TinyModels.gptNeoX();
        neoxGeluTanh.put("hidden_act", "gelu_new");
        neoxGeluTanh.put("rope_scaling", Map.of("type", "linear", "factor", 2.0));
        Map<String, Object> llamaBiased = TinyModels.llama();
        llamaBiased.put("attention_bias", true);
        llamaBiased.put("mlp_bias", true);
        llamaBiased.put("tie_word_embeddings", true);
        return Stream.of(Arguments.of("fixture gpt_neox", null), Arguments.of("fixture llama", null),
                Arguments.of("fixture qwen2", null),
                Arguments.of("gpt_neox_sequential_tied", TinyModels.gptNeoXSequential()),
                Arguments.of("gpt_neox_gelu_tanh_linear_rope", neoxGeluTanh),
                Arguments.of("llama_biases_tied", llamaBiased),
                Arguments.of("mistral_window", TinyModels.mistral()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void fusedStepsMatchTheDjlPath(String name, Map<String, Object> config) throws IOException {
        try (CausalLM model = open(name, config); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThat(((AbstractCausalLM) model).hasFusedDecoding()).isTrue();
            compare(name + " greedy", model, (lm, out) -> greedy(lm, m, out));
            compare(name + " padded batch", model, (lm, out) -> paddedBatch(lm, m, out));
            compare(name + " DJL call between fused steps", model, (lm, out) -> djlBetween(lm, m, out));
            compare(name + " rows leaving", model, (lm, out) -> rowsLeaving(lm, m, out));
        }
    }

    /** Threads decoding on one model at once (a server's workers) each get what they get alone. */
    @Test
    void concurrentDecodersShareTheModelSafely() throws Exception {
        try (CausalLM model = open("llama", TinyModels.llama()); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            List<float[]> alone = new ArrayList<>();
            greedy(model, m, alone);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<List<float[]>>> runs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    runs.add(pool.submit(() -> {
                        List<float[]> out = new ArrayList<>();
                        try (NDManager own = NDManager.newBaseManager(Device.cpu())) {
                            greedy(model, own, out);
                        }
                        return out;
                    }));
                }
                for (Future<List<float[]>> run : runs) {
                    List<float[]> got = run.get(60, TimeUnit.SECONDS);
                    assertThat(got).hasSameSizeAs(alone);
                    for (int c = 0; c < got.size(); c++) {
                        assertThat(got.get(c)).as("call %d", c).containsExactly(alone.get(c));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private CausalLM open(String name, Map<String, Object> config) throws IOException {
        if (config != null) {
            CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 11, Device.cpu());
            model.quantize(Quantization.INT8);
            return model;
        }
        String fixture = name.substring("fixture ".length());
        URL zip = getClass().getResource("/hf-fixtures/" + fixture + ".zip");
        Assumptions.assumeTrue(zip != null, "no fixture hf-fixtures/" + fixture + ".zip");
        try (InputStream in = zip.openStream()) {
            HfParityTest.unzip(in, tmp);
        }
        return CausalLM.load(tmp.resolve(fixture), Device.cpu(), Quantization.INT8);
    }

    /** Runs the scenario fused and on DJL; every call's logits (and so every greedy choice) must agree. */
    private static void compare(String what, CausalLM model, BiConsumer<CausalLM, List<float[]>> scenario) {
        AbstractCausalLM lm = (AbstractCausalLM) model;
        List<float[]> fused = new ArrayList<>();
        List<float[]> djl = new ArrayList<>();
        scenario.accept(model, fused);
        lm.fusedDecoding(false);
        try {
            scenario.accept(model, djl);
        } finally {
            lm.fusedDecoding(true);
        }
        assertThat(fused).as(what).hasSameSizeAs(djl);
        int vocab = model.config().vocabSize();
        double worst = 0;
        for (int c = 0; c < fused.size(); c++) {
            float[] a = fused.get(c);
            float[] b = djl.get(c);
            assertThat(a.length).as("%s call %d", what, c).isEqualTo(b.length);
            for (int row = 0; row < a.length / vocab; row++) {
                double scale = 0;
                for (int v = 0; v < vocab; v++) {
                    scale = Math.max(scale, Math.abs(b[row * vocab + v]));
                }
                for (int v = 0; v < vocab; v++) {
                    double diff = Math.abs(a[row * vocab + v] - b[row * vocab + v]) / Math.max(scale, 1e-6);
                    worst = Math.max(worst, diff);
                    assertThat(diff).as("%s call %d row %d logit %d: fused %s vs DJL %s", what, c, row, v,
                            a[row * vocab + v], b[row * vocab + v]).isLessThan(RELATIVE);
                }
                assertThat(argMax(a, row * vocab, vocab)).as("%s call %d row %d greedy", what, c, row)
                        .isEqualTo(argMax(b, row * vocab, vocab));
            }
        }
        System.out.printf("%s: %d calls, largest difference %.2e of the row's largest logit%n", what, fused.size(), worst);
    }

    /** A 5-token prompt, then 10 greedy tokens one at a time. */
    private static void greedy(CausalLM model, NDManager m, List<float[]> out) {
        try (KvCache cache = model.newKvCache()) {
            float[] logits = call(model, m, new long[][] {{3, 17, 5, 9, 40}}, null, cache, out);
            for (int t = 0; t < 10; t++) {
                long next = argMax(logits, 0, logits.length);
                logits = call(model, m, new long[][] {{next}}, null, cache, out);
                assertThat(fusedHeld(model, cache)).isTrue();
            }
        }
    }

    /** Three prompts, one left-padded, one right-padded, one full, then 6 greedy steps, the mask growing a column each. */
    private static void paddedBatch(CausalLM model, NDManager m, List<float[]> out) {
        try (KvCache cache = model.newKvCache()) {
            long[][] ids = {{0, 0, 0, 7, 21, 33}, {14, 3, 27, 0, 0, 0}, {12, 4, 50, 8, 19, 2}};
            long[][] mask = {{0, 0, 0, 1, 1, 1}, {1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1}};
            float[] logits = call(model, m, ids, mask, cache, out);
            int vocab = model.config().vocabSize();
            for (int t = 0; t < 6; t++) {
                mask = grow(mask);
                long[][] next = new long[3][1];
                for (int row = 0; row < 3; row++) {
                    next[row][0] = argMax(logits, row * vocab, vocab);
                }
                logits = call(model, m, next, mask, cache, out);
                assertThat(fusedHeld(model, cache)).isTrue();
            }
        }
    }

    /** Fused steps, a 3-token call (DJL) on the same cache, then fused steps again. */
    private static void djlBetween(CausalLM model, NDManager m, List<float[]> out) {
        try (KvCache cache = model.newKvCache()) {
            call(model, m, new long[][] {{5, 6, 7}}, null, cache, out);
            for (long token : new long[] {8, 9, 10}) {
                call(model, m, new long[][] {{token}}, null, cache, out);
            }
            call(model, m, new long[][] {{11, 12, 13}}, null, cache, out);
            assertThat(cache.length()).isEqualTo(9);
            for (long token : new long[] {14, 15, 16}) {
                call(model, m, new long[][] {{token}}, null, cache, out);
            }
        }
    }

    /**
     * Continuous batching as {@code BatchScheduler} does it: three padded rows decode together, one leaves
     * (keepRows), the columns that are padding for every remaining row go (dropLeft), another prompt is
     * absorbed, and decoding goes on.
     */
    private static void rowsLeaving(CausalLM model, NDManager m, List<float[]> out) {
        try (KvCache cache = model.newKvCache()) {
            long[][] ids = {{0, 0, 1, 2}, {0, 9, 10, 11}, {20, 21, 22, 23}};
            long[][] mask = {{0, 0, 1, 1}, {0, 1, 1, 1}, {1, 1, 1, 1}};
            call(model, m, ids, mask, cache, out);
            for (int t = 0; t < 3; t++) {
                mask = grow(mask);
                call(model, m, new long[][] {{30 + t}, {40 + t}, {50 + t}}, mask, cache, out);
            }
            cache.keepRows(new int[] {0, 1}); // the full-length row leaves
            cache.dropLeft(1); // column 0 is padding for both rows left
            mask = new long[][] {Arrays.copyOfRange(mask[0], 1, mask[0].length), Arrays.copyOfRange(mask[1], 1, mask[1].length)};
            for (int t = 0; t < 2; t++) {
                mask = grow(mask);
                call(model, m, new long[][] {{33 + t}, {43 + t}}, mask, cache, out);
            }
            try (KvCache joining = model.newKvCache()) {
                call(model, m, new long[][] {{44, 45}}, null, joining, out);
                cache.absorb(joining);
            }
            long[][] three = new long[3][];
            three[0] = mask[0];
            three[1] = mask[1];
            three[2] = new long[mask[0].length];
            Arrays.fill(three[2], mask[0].length - 2, mask[0].length, 1);
            mask = three;
            for (int t = 0; t < 3; t++) {
                mask = grow(mask);
                call(model, m, new long[][] {{35 + t}, {45 + t}, {55 + t}}, mask, cache, out);
            }
            assertThat(cache.rows()).isEqualTo(3);
            assertThat(cache.length()).isEqualTo(mask[0].length);
        }
    }

    /** One forward call; its logits (all rows' last position) are recorded and returned. */
    private static float[] call(CausalLM model, NDManager m, long[][] ids, long[][] mask, KvCache cache, List<float[]> out) {
        try (NDScope ignored = new NDScope()) {
            NDArray logits = model.forward(m.create(ids), mask == null ? null : m.create(mask), cache);
            float[] last = logits.get(":, -1, :").toFloatArray();
            out.add(last);
            return last;
        }
    }

    /** The mask with one more column of 1 (every row's new token). */
    private static long[][] grow(long[][] mask) {
        long[][] next = new long[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            next[i] = Arrays.copyOf(mask[i], mask[i].length + 1);
            next[i][mask[i].length] = 1;
        }
        return next;
    }

    private static boolean fusedHeld(CausalLM model, KvCache cache) {
        return !((AbstractCausalLM) model).fusedEnabled() || cache.heldInJava();
    }

    private static long argMax(float[] values, int from, int length) {
        int best = 0;
        for (int v = 1; v < length; v++) {
            if (values[from + v] > values[from + best]) {
                best = v;
            }
        }
        return best;
    }
}
