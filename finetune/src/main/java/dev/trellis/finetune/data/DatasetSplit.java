package dev.trellis.finetune.data;

/** A train/test split of an {@link InstructionDataset}. */
public record DatasetSplit(InstructionDataset train, InstructionDataset test) {
}
