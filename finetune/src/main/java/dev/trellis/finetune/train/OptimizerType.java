package dev.trellis.finetune.train;

/** The optimizer (Hugging Face's {@code optim}). */
public enum OptimizerType {
    /** AdamW with decoupled weight decay, as torch.optim.AdamW. */
    ADAMW,
    /** Adafactor with an explicit learning rate (factored second moments, no momentum), as transformers'. */
    ADAFACTOR,
    /** Plain stochastic gradient descent; weight decay is added to the gradient (L2), as torch.optim.SGD. */
    SGD
}
