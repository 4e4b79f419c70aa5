/** The safetensors file format (read, write, F16/BF16 widening) and atomic file writes. */
package dev.trellis.finetune.model.safetensors;
