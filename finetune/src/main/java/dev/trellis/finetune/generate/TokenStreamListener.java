package dev.trellis.finetune.generate;

/**
 * Receives generated text as it appears. Deltas never split a UTF-8 character, and text that might
 * still turn out to be the start of a stop sequence is held back until it is known not to be, so
 * the deltas of a sequence concatenate to exactly its {@link GenerationResult#text()}.
 */
@FunctionalInterface
public interface TokenStreamListener {

    /** New text of prompt {@code index} (0 for a single prompt). */
    void onText(int index, String delta);
}
