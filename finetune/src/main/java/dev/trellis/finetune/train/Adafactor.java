package dev.trellis.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.Parameter;
import java.util.List;

/**
 * Adafactor as transformers' {@code Adafactor(lr=..., scale_parameter=False, relative_step=False)},
 * which is what the Hugging Face Trainer builds for {@code optim="adafactor"}: no momentum, second
 * moments factored into row and column averages for matrices (memory O(n + m) instead of O(nm)),
 * decay rate {@code 1 - t^-0.8}, updates clipped to RMS 1, decoupled weight decay.
 */
public final class Adafactor extends Optimizer {

    private static final double EPS1 = 1e-30;
    private static final double DECAY_RATE = -0.8;
    private static final double CLIP_THRESHOLD = 1.0;

    public Adafactor(List<Parameter> parameters, double weightDecay) {
        super(parameters, weightDecay);
    }

    private static boolean factored(Parameter p) {
        return p.array().getShape().dimension() >= 2;
    }

    @Override
    protected List<NDArray> createState(Parameter p) {
        Shape s = p.array().getShape();
        if (factored(p)) {
            return List.of(zeros(s.slice(0, s.dimension() - 1)), zeros(s.slice(0, s.dimension() - 2).add(s.get(s.dimension() - 1))));
        }
        return List.of(zeros(s));
    }

    @Override
    protected void update(Parameter p, NDArray grad, List<NDArray> s, double lr, double decay) {
        NDArray w = p.array();
        float beta2t = (float) (1.0 - Math.pow(stepCount, DECAY_RATE));
        NDArray sq = grad.square().addi((float) EPS1);
        NDArray update;
        if (factored(p)) {
            NDArray row = s.get(0);
            NDArray col = s.get(1);
            row.muli(beta2t).addi(sq.mean(new int[] {-1}).muli(1 - beta2t));
            col.muli(beta2t).addi(sq.mean(new int[] {-2}).muli(1 - beta2t));
            NDArray rFactor = row.div(row.mean(new int[] {-1}, true)).sqrt().pow(-1).expandDims(-1);
            NDArray cFactor = col.expandDims(-2).sqrt().pow(-1);
            update = rFactor.mul(cFactor).muli(grad);
        } else {
            NDArray v = s.get(0);
            v.muli(beta2t).addi(sq.muli(1 - beta2t));
            update = v.sqrt().pow(-1).muli(grad);
        }
        double rms = Math.sqrt(update.square().mean().getFloat());
        update.divi((float) Math.max(1.0, rms / CLIP_THRESHOLD)).muli((float) lr);
        if (decay > 0) {
            w.muli((float) (1 - decay * lr));
        }
        w.subi(update);
    }
}
