package dev.trellis.finetune.model.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused step's small operations against DJL's (what the model's DJL path runs) and a float64 erf. */
class DecodeMathTest {

    /** x from -12 to 12 in steps of 1/512 (an odd count, so the Vector API loops' scalar tails run too). */
    private static float[] grid() {
        float[] x = new float[12 * 2 * 512 + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = -12f + i / 512f;
        }
        return x;
    }

    /**
     * The rational approximation is within 4e-7 of erf everywhere (its largest errors are near |x| = 4, where
     * it is clamped to +-1 and erf is 1 - 2e-8), and within 4 float ulps up to |x| = 2.
     */
    @Test
    void erfIsCloseToTheTrueValue() {
        double worstAbsolute = 0;
        double worstUlps = 0;
        for (float x : grid()) {
            double exact = erf64(x);
            double err = Math.abs(DecodeMath.erf(x) - exact);
            worstAbsolute = Math.max(worstAbsolute, err);
            assertThat(err).as("erf(%s)", x).isLessThan(4e-7);
            if (Math.abs(x) <= 2) {
                double ulps = err / Math.ulp((float) exact);
                worstUlps = Math.max(worstUlps, ulps);
                assertThat(ulps).as("erf(%s) in float ulps", x).isLessThanOrEqualTo(4);
            }
        }
        System.out.printf("erf: largest error %.2e, %.1f ulps up to |x| = 2%n", worstAbsolute, worstUlps);
    }

    @Test
    void activationsMatchDjl() {
        float[] x = grid();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray in = m.create(x);
            check("gelu", x, Activation.gelu(in).toFloatArray(), 2e-6);
            NDArray tanh = in.mul(0.5).mul(in.clip(-10, 10).pow(3).mul(0.044715).add(in).mul(Math.sqrt(2.0 / Math.PI))
                    .tanh().add(1.0));
            check("gelu_new", x, tanh.toFloatArray(), 2e-6);
            check("silu", x, in.mul(Activation.sigmoid(in)).toFloatArray(), 2e-6);
            check("relu", x, Activation.relu(in).toFloatArray(), 0);
        }
    }

    /** |ours - DJL| <= tolerance x max(1, |x|) everywhere. */
    private static void check(String name, float[] x, float[] expected, double tolerance) {
        float[] got = x.clone();
        DecodeMath.activation(name, got, 0, got.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double err = Math.abs(got[i] - expected[i]) / Math.max(1, Math.abs(x[i]));
            worst = Math.max(worst, err);
            assertThat(err).as("%s(%s): %s vs DJL %s", name, x[i], got[i], expected[i]).isLessThanOrEqualTo(tolerance);
        }
        System.out.printf("%s: largest difference from DJL %.2e%n", name, worst);
    }

    @Test
    void normsMatchDjl() {
        Random random = new Random(3);
        int n = 77;
        float[] x = new float[n];
        float[] w = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 3 + 1);
            w[i] = (float) random.nextGaussian();
            b[i] = (float) random.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray in = m.create(x, new Shape(1, n));
            float[] djlLayer = LayerNorm.layerNorm(in, new Shape(n), m.create(w), m.create(b), 1e-5f).singletonOrThrow()
                    .toFloatArray();
            float[] djlRms = in.div(in.square().mean(new int[] {-1}, true).add(1e-6).sqrt()).mul(m.create(w)).toFloatArray();
            float[] layer = new float[n];
            float[] rms = new float[n];
            DecodeMath.layerNorm(x, 0, n, w, b, 1e-5f, layer, 0);
            DecodeMath.rmsNorm(x, 0, n, w, 1e-6f, rms, 0);
            for (int i = 0; i < n; i++) {
                assertThat(layer[i]).as("layer norm %d", i).isCloseTo(djlLayer[i], org.assertj.core.data.Offset.offset(1e-5f));
                assertThat(rms[i]).as("rms norm %d", i).isCloseTo(djlRms[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /** erf in float64: its Taylor series below 3, the continued fraction of erfc beyond. */
    static double erf64(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double sum = a;
            for (int k = 1; k < 200 && Math.abs(term) > 1e-20; k++) {
                term *= -a * a / k;
                sum += term / (2 * k + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 60; k >= 1; k--) {
                f = k / 2.0 / (a + f);
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return Math.copySign(r, x);
    }
}
