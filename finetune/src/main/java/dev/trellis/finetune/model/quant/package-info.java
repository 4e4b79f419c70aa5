/**
 * Weight-only quantization for inference, in plain Java: {@link dev.trellis.finetune.model.quant.Q8Matrix}
 * (int8 weights with a float scale per group of 32, llama.cpp's Q8_0 layout) and
 * {@link dev.trellis.finetune.model.quant.Q8Kernel}, the Vector API matrix product decoding uses.
 * Nothing here knows about models; the model code reaches it through one {@code linear} seam.
 */
package dev.trellis.finetune.model.quant;
