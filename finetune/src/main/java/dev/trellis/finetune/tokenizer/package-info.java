/**
 * Tokenizers: the {@link dev.trellis.finetune.tokenizer.TrellisTokenizer} contract, any Hugging Face
 * {@code tokenizer.json} through DJL ({@link dev.trellis.finetune.tokenizer.HfTokenizer}), a byte-level BPE
 * trainer that writes one ({@link dev.trellis.finetune.tokenizer.BpeTrainer}), and langchain4j token counting
 * ({@link dev.trellis.finetune.tokenizer.TokenizerTokenCountEstimator}).
 */
package dev.trellis.finetune.tokenizer;
