package dev.trellis.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.trellis.finetune.data.Batch;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.LanguageModelingLoss;
import dev.trellis.finetune.model.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The trainer's loss sends only the counted positions through the output layer. It must be the loss (and the
 * gradients) of the full logits: prompts masked, rows of different lengths padded on the right, a label at
 * position 0 (which nothing predicts).
 */
class AnswerOnlyLossTest {

    private static final int VOCAB = 53;

    @Test
    void lossAndGradientsEqualThoseOfTheFullLogits() {
        Random r = new Random(7);
        int rows = 3;
        int steps = 12;
        int[][] ids = new int[rows][steps];
        int[][] labels = new int[rows][steps];
        int[][] mask = new int[rows][steps];
        int[][] pos = new int[rows][steps];
        int[] lengths = {12, 9, 5};
        int[] promptEnds = {7, 0, 3};
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < steps; t++) {
                boolean real = t < lengths[i];
                ids[i][t] = real ? r.nextInt(VOCAB) : 0;
                labels[i][t] = real && t >= promptEnds[i] ? ids[i][t] : (int) TokenizedExample.IGNORE_INDEX;
                mask[i][t] = real ? 1 : 0;
                pos[i][t] = t;
            }
        }
        Batch batch = new Batch(ids, labels, mask, pos);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
             CausalLM model = CausalLM.create(TwoLayerLlama.config(32, VOCAB, 1), 5, Device.cpu())) {
            NDArray input = manager.create(Batch.flatten(ids), new Shape(rows, steps));
            NDArray labelArray = manager.create(Batch.flatten(labels), new Shape(rows, steps));
            long counted = 0;
            for (int i = 0; i < rows; i++) {
                for (int t = 1; t < steps; t++) {
                    counted += labels[i][t] != TokenizedExample.IGNORE_INDEX ? 1 : 0;
                }
            }

            float full;
            List<float[]> fullGrads;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = LanguageModelingLoss.crossEntropy(model.forward(input), labelArray).mul(counted);
                full = loss.getFloat();
                gc.backward(loss);
            }
            fullGrads = gradients(model);

            float answerOnly;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Trainer.negativeLogLikelihoodSum(model, manager, batch);
                answerOnly = loss.getFloat();
                gc.backward(loss);
            }
            List<float[]> grads = gradients(model);

            assertThat(answerOnly).isCloseTo(full, within(Math.abs(full) * 1e-6f));
            for (int i = 0; i < grads.size(); i++) {
                float[] want = fullGrads.get(i);
                float scale = 0;
                for (float g : want) {
                    scale = Math.max(scale, Math.abs(g));
                }
                assertThat(grads.get(i)).as(model.parameters().get(i).name()).containsExactly(want, within(scale * 1e-5f + 1e-9f));
            }
        }
    }

    /** Every parameter's gradient, then zeroed (gradients accumulate until zeroed). */
    private static List<float[]> gradients(CausalLM model) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            NDArray g = p.array().getGradient();
            out.add(g.toFloatArray());
            g.subi(g);
        }
        return out;
    }
}
