/**
 * Finetuning data: load question/answer or instruction data ({@link dev.trellis.finetune.data.InstructionDataset}),
 * apply a prompt template ({@link dev.trellis.finetune.data.InstructionTemplate}), split it, and tokenize it
 * into causal-LM sequences with masked prompts ({@link dev.trellis.finetune.data.DatasetTokenizer},
 * {@link dev.trellis.finetune.data.TokenizedDataset}, {@link dev.trellis.finetune.data.Batch}).
 * Bad records are reported with line numbers ({@link dev.trellis.finetune.data.BadRecord}).
 */
package dev.trellis.finetune.data;
