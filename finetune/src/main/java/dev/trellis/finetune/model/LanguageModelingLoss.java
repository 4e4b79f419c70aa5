package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The causal language-modelling loss transformers computes when {@code labels} are passed: the
 * logits at position t predict the label at t + 1, and labels equal to {@link #IGNORE_INDEX} (the
 * masked prompt, padding) do not count.
 */
public final class LanguageModelingLoss {

    /** The label value that is left out of the loss, as in PyTorch and transformers. */
    public static final long IGNORE_INDEX = -100;

    private LanguageModelingLoss() {
    }

    /**
     * Mean cross-entropy over the counted tokens. {@code logits} [batch, steps, vocab] (float32 or float16),
     * {@code labels} [batch, steps] (int64, usually the input ids with ignored parts set to -100).
     * Differentiable with respect to the logits.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long[] ls = logits.getShape().getShape();
        if (ls.length != 3 || !labels.getShape().equals(logits.getShape().slice(0, 2))) {
            throw new IllegalArgumentException("logits must be [batch, steps, vocab] and labels [batch, steps]; got "
                    + logits.getShape() + " and " + labels.getShape());
        }
        if (ls[1] < 2) {
            throw new IllegalArgumentException("a sequence needs at least 2 steps to predict a next token; got " + ls[1]);
        }
        NDArray predictions = logits.split(new long[] {ls[1] - 1}, 1).get(0);
        NDArray targets = labels.split(new long[] {1}, 1).get(1);
        NDArray counted = targets.neq(IGNORE_INDEX);
        NDArray safeTargets = targets.mul(counted.toType(DataType.INT64, false));
        NDArray logProbs = logSoftmax(predictions).gather(safeTargets.expandDims(-1), -1).squeeze(-1);
        NDArray weights = counted.toType(DataType.FLOAT32, false);
        float count = weights.sum().getFloat();
        if (count == 0) {
            throw new IllegalArgumentException("every label is " + IGNORE_INDEX + "; there is no token to learn from "
                    + "(is the whole sequence masked as prompt?)");
        }
        return logProbs.mul(weights).sum().neg().div(count);
    }

    /**
     * Log-softmax over the last axis, always computed and returned in float32 (as PyTorch's autocast
     * runs it): float16 logits are widened inside torch's {@code log_softmax(dim, dtype)}, a cast
     * autograd sees, so the gradient flows back into the float16 graph. Differentiable.
     */
    public static NDArray logSoftmax(NDArray logits) {
        if (logits.getDataType() == DataType.FLOAT32) {
            return logits.logSoftmax(-1);
        }
        return JniUtils.logSoftmax((PtNDArray) logits, -1, DataType.FLOAT32);
    }
}
