/**
 * A whole decoding step of an int8 model in plain Java, on float arrays: one new token per row runs
 * through embedding, norms, the int8 products ({@link dev.trellis.finetune.model.quant.Q8Kernel}),
 * rotary embedding, attention over Java-side keys and values ({@link dev.trellis.finetune.model.decode.KvBuffers})
 * and the output projection with no PyTorch call in between. A decoding step is a few dozen small
 * operations per layer; through DJL each costs a JNI call and a tensor, which at batch 1 took a third
 * of pythia-160m's step. {@link dev.trellis.finetune.model.decode.NeoXDecodeStep} and
 * {@link dev.trellis.finetune.model.decode.LlamaDecodeStep} are the two families; the shared pieces
 * are in {@link dev.trellis.finetune.model.decode.DecodeMath}. Nothing here knows about DJL or the
 * model classes: the model hands over its weights by Hugging Face name ({@link dev.trellis.finetune.model.decode.DecodeWeights}).
 */
package dev.trellis.finetune.model.decode;
