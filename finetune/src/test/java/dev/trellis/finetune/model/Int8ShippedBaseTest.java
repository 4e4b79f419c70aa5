package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.pretrain.ShippedBase;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * int8 against float32 on trellis-base, the trained checkpoint the quickstart finetunes: the same
 * tolerance as {@link Int8ParityTest} (RMS logit error at most 3% of the logits' standard deviation,
 * largest at most 15%), and the same top token at 90% of positions, on a docs_qa-style prompt.
 */
class Int8ShippedBaseTest {

    @Test
    void int8LogitsOfTheShippedBaseStayWithinTolerance() {
        String text = "### Question:\nWhich fabric is the Tidewater Arroyo Hiking Pants in Crimson made from?\n\n"
                + "### Answer:\nThe Tidewater Arroyo Hiking Pants in Crimson are made from recycled nylon ripstop.";
        try (HfTokenizer tokenizer = HfTokenizer.load(ShippedBase.directory());
             CausalLM full = CausalLM.load(ShippedBase.directory(), Device.cpu());
             CausalLM int8 = CausalLM.load(ShippedBase.directory(), Device.cpu(), Quantization.INT8);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long[] ids = Arrays.stream(tokenizer.encode(text)).asLongStream().toArray();
            int steps = ids.length;
            int vocab = full.config().vocabSize();
            float[] reference = full.forward(m.create(ids, new Shape(1, steps))).toFloatArray();
            float[] quantized = int8.forward(m.create(ids, new Shape(1, steps))).toFloatArray();
            double sum = 0;
            double sumSq = 0;
            double sqDiff = 0;
            double maxDiff = 0;
            for (int i = 0; i < reference.length; i++) {
                sum += reference[i];
                sumSq += (double) reference[i] * reference[i];
                double d = quantized[i] - reference[i];
                sqDiff += d * d;
                maxDiff = Math.max(maxDiff, Math.abs(d));
            }
            int n = reference.length;
            double std = Math.sqrt(sumSq / n - (sum / n) * (sum / n));
            double rms = Math.sqrt(sqDiff / n);
            int agree = 0;
            for (int t = 0; t < steps; t++) {
                agree += argMax(reference, t * vocab, vocab) == argMax(quantized, t * vocab, vocab) ? 1 : 0;
            }
            System.out.printf("trellis-base int8 vs float32 over %d positions: rms logit error %.2f%% of std %.3f, max %.2f%%, "
                    + "top token kept at %d%n", steps, 100 * rms / std, std, 100 * maxDiff / std, agree);
            assertThat(rms).isLessThan(Int8ParityTest.TOLERANCE_OF_STD * std);
            assertThat(maxDiff).isLessThan(Int8ParityTest.MAX_OF_STD * std);
            assertThat(agree).isGreaterThanOrEqualTo((int) Math.ceil(0.9 * steps));
        }
    }

    private static int argMax(float[] values, int from, int length) {
        int best = 0;
        for (int v = 1; v < length; v++) {
            if (values[from + v] > values[from + best]) {
                best = v;
            }
        }
        return best;
    }
}
