package dev.trellis.finetune.train;

import ai.djl.ndarray.NDArray;
import dev.trellis.finetune.model.Parameter;
import java.util.List;

/** Stochastic gradient descent as {@code torch.optim.SGD} without momentum: weight decay is L2, added to the gradient. */
public final class Sgd extends Optimizer {

    public Sgd(List<Parameter> parameters, double weightDecay) {
        super(parameters, weightDecay);
    }

    @Override
    protected List<NDArray> createState(Parameter p) {
        return List.of();
    }

    @Override
    protected void update(Parameter p, NDArray grad, List<NDArray> s, double lr, double decay) {
        NDArray w = p.array();
        NDArray g = decay > 0 ? grad.add(w.mul((float) decay)) : grad;
        w.subi(g.mul((float) lr));
    }
}
