package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The properties every architecture must have, on tiny random models. */
class CausalLMPropertiesTest {

    private NDManager manager;

    static Stream<Arguments> models() {
        return TinyModels.all().stream().map(a -> Arguments.of(a[0], a[1]));
    }

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static CausalLM model(Map<String, Object> config) {
        return CausalLM.create(ModelConfig.fromMap(config), 42, Device.cpu());
    }

    private NDArray ids(long seed, int batch, int steps) {
        Random r = new Random(seed);
        long[] v = new long[batch * steps];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(TinyModels.VOCAB);
        }
        return manager.create(v, new Shape(batch, steps));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void changingAFutureTokenDoesNotChangeEarlierLogits(String name, Map<String, Object> config) {
        try (CausalLM model = model(config)) {
            NDArray a = ids(1, 2, 9);
            NDArray b = a.duplicate();
            b.set(new NDIndex(":, 6"), 7);
            b.set(new NDIndex(":, 8"), 3);
            NDArray la = model.forward(a);
            NDArray lb = model.forward(b);
            assertThat(la.getShape()).isEqualTo(new Shape(2, 9, TinyModels.VOCAB));
            float[] before = la.get(":, :6, :").toFloatArray();
            assertThat(lb.get(":, :6, :").toFloatArray()).containsExactly(before);
            // ... and the changed position does change the logits from there on.
            assertThat(maxAbsDiff(la.get(":, 6:, :"), lb.get(":, 6:, :"))).isGreaterThan(1e-4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theOutputLayerOverHiddenStatesIsTheForwardPass(String name, Map<String, Object> config) {
        try (CausalLM model = model(config)) {
            NDArray ids = ids(3, 2, 7);
            NDArray hidden = model.hiddenStates(ids);
            assertThat(hidden.getShape()).isEqualTo(new Shape(2, 7, model.config().hiddenSize()));
            assertThat(model.logits(hidden).toFloatArray()).containsExactly(model.forward(ids).toFloatArray());
            // any leading shape: the rows of one position at a time
            assertThat(model.logits(hidden.get(":, 4, :")).toFloatArray())
                    .containsExactly(model.forward(ids).get(":, 4, :").toFloatArray(), within(1e-6f));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void incrementalDecodingWithKvCacheMatchesFullForward(String name, Map<String, Object> config) {
        try (CausalLM model = model(config); KvCache cache = model.newKvCache()) {
            NDArray all = ids(2, 2, 10);
            NDArray full = model.forward(all);
            NDArray prompt = model.forward(all.get(":, :6"), cache);
            assertThat(cache.length()).isEqualTo(6);
            assertThat(maxAbsDiff(prompt, full.get(":, :6, :"))).isLessThan(1e-5);
            for (int t = 6; t < 10; t++) {
                try (NDScope ignored = new NDScope()) {
                    NDArray step = model.forward(all.get(":, " + t + ":" + (t + 1)), cache);
                    assertThat(maxAbsDiff(step, full.get(":, " + t + ":" + (t + 1) + ", :")))
                            .as("step %d", t).isLessThan(1e-5);
                }
            }
            assertThat(cache.length()).isEqualTo(10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void leftPaddedBatchMatchesUnpaddedRows(String name, Map<String, Object> config) {
        try (CausalLM model = model(config); KvCache cache = model.newKvCache()) {
            NDArray row = ids(3, 1, 5);
            NDArray alone = model.forward(row);
            // Row 0 is the same 5 tokens after 3 pads; row 1 is 8 real tokens.
            long[] r = row.toLongArray();
            long[] padded = {0, 0, 0, r[0], r[1], r[2], r[3], r[4], 5, 6, 7, 8, 9, 10, 11, 12};
            long[] mask = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            NDArray logits = model.forward(manager.create(padded, new Shape(2, 8)),
                    manager.create(mask, new Shape(2, 8)), cache);
            assertThat(maxAbsDiff(logits.get("0, 3:, :"), alone.get("0"))).isLessThan(1e-5);
            // One more token for both rows through the cache, with the mask grown by one.
            long[] mask2 = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            NDArray next = model.forward(manager.create(new long[] {9, 13}, new Shape(2, 1)),
                    manager.create(mask2, new Shape(2, 9)), cache);
            NDArray aloneNext = model.forward(manager.create(new long[] {r[0], r[1], r[2], r[3], r[4], 9}, new Shape(1, 6)));
            assertThat(maxAbsDiff(next.get("0, 0, :"), aloneNext.get("0, 5, :"))).isLessThan(1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void autogradGradientsMatchFiniteDifferences(String name, Map<String, Object> config) {
        try (CausalLM model = model(config)) {
            NDArray input = ids(4, 2, 6);
            NDArray labels = ids(5, 2, 6);
            List<Parameter> params = model.parameters();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = LanguageModelingLoss.crossEntropy(model.forward(input), labels);
                gc.backward(loss);
            }
            Random r = new Random(7);
            // A few elements of the first, a middle and the last parameter, plus a norm and a bias.
            List<Parameter> checked = List.of(params.get(0), params.get(params.size() / 2), params.get(params.size() - 1),
                    params.stream().filter(p -> p.kind() == Parameter.Kind.NORM).findFirst().orElseThrow(),
                    params.stream().filter(p -> p.kind() != Parameter.Kind.EMBEDDING).findFirst().orElseThrow());
            for (Parameter p : checked) {
                float[] grad = p.array().getGradient().toFloatArray();
                // Check the element with the largest gradient (well above rounding) and a random one.
                int big = 0;
                for (int i = 1; i < grad.length; i++) {
                    if (Math.abs(grad[i]) > Math.abs(grad[big])) {
                        big = i;
                    }
                }
                for (int index : new int[] {big, r.nextInt(grad.length)}) {
                    double eps = 1e-2;
                    double plus = lossWith(model, p, index, eps, input, labels);
                    double minus = lossWith(model, p, index, -eps, input, labels);
                    double numeric = (plus - minus) / (2 * eps);
                    assertThat(grad[index]).as("%s[%d]", p.name(), index)
                            .isCloseTo((float) numeric, within((float) (2e-3 + 0.02 * Math.abs(numeric))));
                }
            }
        }
    }

    private double lossWith(CausalLM model, Parameter p, int index, double delta, NDArray input, NDArray labels) {
        NDArray flat = p.array().reshape(-1);
        float original = flat.getFloat(index);
        float[] values = p.array().toFloatArray();
        values[index] = (float) (original + delta);
        p.array().set(values);
        try (NDScope ignored = new NDScope()) {
            return LanguageModelingLoss.crossEntropy(model.forward(input), labels).getFloat();
        } finally {
            values[index] = original;
            p.array().set(values);
        }
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        assertThat(a.getShape()).isEqualTo(b.getShape());
        return a.sub(b).abs().max().getFloat();
    }
}
