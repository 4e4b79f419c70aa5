/**
 * Text generation with Trellis' decoder models: {@link dev.trellis.finetune.generate.Generator}
 * (greedy, temperature, top-k, top-p, repetition penalty, stop sequences, seeds, batches, streaming,
 * KV cache), the course's {@code inference(text, model, tokenizer)} helper, and JSON-constrained
 * decoding ({@link dev.trellis.finetune.generate.JsonConstraint}) that makes even an untrained
 * model's output parse.
 */
package dev.trellis.finetune.generate;
