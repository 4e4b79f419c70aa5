package dev.trellis.finetune.model.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Q8KernelTest {

    @Test
    void quantizationErrorIsAtMostHalfAStepPerGroup() {
        int rows = 7;
        int cols = 96;
        float[] w = gaussian(rows * cols, 3);
        Q8Matrix q = Q8Matrix.quantize(w, rows, cols);
        assertThat(q.groupsPerRow()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(rows * cols + 4L * rows * 3);
        float[] back = q.dequantize();
        for (int g = 0; g < rows * 3; g++) {
            float max = 0;
            for (int i = g * 32; i < g * 32 + 32; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            float halfStep = max / 127 / 2;
            for (int i = g * 32; i < g * 32 + 32; i++) {
                assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(halfStep * 1.0001f);
            }
        }
    }

    @Test
    void aRowLengthNotAMultipleOf32EndsInAShorterGroupAndZerosStayZero() {
        float[] w = gaussian(3 * 40, 4);
        java.util.Arrays.fill(w, 40, 80, 0f);
        w[32] = 100f; // a large weight in row 0's short last group must not coarsen its first group
        Q8Matrix q = Q8Matrix.quantize(w, 3, 40);
        assertThat(q.groupsPerRow()).isEqualTo(2);
        assertThat(q.bytes()).isEqualTo(120 + 4L * 6);
        float[] back = q.dequantize();
        for (int i = 40; i < 80; i++) {
            assertThat(back[i]).isZero();
        }
        float max = 0;
        for (int i = 0; i < 32; i++) {
            max = Math.max(max, Math.abs(w[i]));
        }
        for (int i = 0; i < 32; i++) {
            assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(max / 127 / 2 * 1.0001f);
        }
        assertThat(back[32]).isEqualTo(100f);
    }

    @Test
    void rejectsNonFiniteWeightsAndWrongSizes() {
        assertThatThrownBy(() -> Q8Matrix.quantize(new float[] {1, Float.NaN}, 1, 2)).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> Q8Matrix.quantize(new float[3], 2, 2)).hasMessageContaining("2 x 2 matrix needs 4 values");
    }

    /** The kernel against a plain loop over the dequantized weights: rows 1, 4 (shared loads), 5 (4 + 1), tails. */
    @ParameterizedTest(name = "{0} rows x [{1}, {2}]")
    @CsvSource({"1, 300, 64", "4, 300, 64", "5, 129, 96", "3, 70, 40", "9, 1000, 896", "4, 130, 688", "1, 70, 7"})
    void matchesThePlainProductOfTheDequantizedWeights(int n, int out, int in) {
        float[] w = gaussian(out * in, 5);
        float[] x = gaussian(n * in, 6);
        float[] bias = gaussian(out, 7);
        Q8Matrix q = Q8Matrix.quantize(w, out, in);
        float[] deq = q.dequantize();
        float[] y = new float[n * out];
        Q8Kernel.multiply(x, n, q, bias, y);
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double expected = bias[o];
                for (int j = 0; j < in; j++) {
                    expected += (double) x[r * in + j] * deq[o * in + j];
                }
                assertThat((double) y[r * out + o]).as("row %d output %d", r, o)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(in)));
            }
        }
        float[] noBias = new float[n * out];
        Q8Kernel.multiply(x, n, q, null, noBias);
        assertThat(noBias[0]).isCloseTo(y[0] - bias[0], org.assertj.core.data.Offset.offset(1e-4f));
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
