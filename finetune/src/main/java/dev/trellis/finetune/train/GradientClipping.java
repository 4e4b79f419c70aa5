package dev.trellis.finetune.train;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Clipping by the global L2 norm of all gradients together, as {@code torch.nn.utils.clip_grad_norm_}:
 * when the norm exceeds {@code maxNorm} every gradient is scaled by {@code maxNorm / (norm + 1e-6)},
 * which keeps the update's direction. (DJL's {@code optClipGrad} clamps each element instead, which
 * changes the direction; it is not used.)
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** The global L2 norm of {@code grads}; NaN or infinity when any gradient overflowed. */
    public static double globalNorm(List<NDArray> grads) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray sq = g.square().sum();
            total = total == null ? sq : total.add(sq);
        }
        return total == null ? 0.0 : Math.sqrt(total.getFloat());
    }

    /**
     * Scales {@code grads} in place so their global norm is at most {@code maxNorm}; returns the norm
     * before clipping (what Hugging Face logs as {@code grad_norm}). {@code maxNorm <= 0} only measures.
     */
    public static double clipGlobalNorm(List<NDArray> grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0 && Double.isFinite(norm)) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1.0) {
                for (NDArray g : grads) {
                    g.muli((float) coef);
                }
            }
        }
        return norm;
    }
}
