/**
 * Decoder-only language models on DJL's PyTorch engine, in Hugging Face checkpoint layout.
 *
 * <p>{@link dev.trellis.finetune.model.CausalLM} is the entry point: {@code load(dir)} reads a
 * transformers checkpoint directory, {@code create(config, seed)} builds a random one, and
 * {@code forward} gives logits (differentiable inside a DJL GradientCollector) or continues a
 * {@link dev.trellis.finetune.model.KvCache}. One file per architecture, read top to bottom:
 * {@link dev.trellis.finetune.model.GptNeoX} (Pythia), {@link dev.trellis.finetune.model.Gpt2},
 * {@link dev.trellis.finetune.model.Llama} (Llama, Qwen2, Mistral, SmolLM).
 */
package dev.trellis.finetune.model;
