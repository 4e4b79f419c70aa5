package dev.trellis.finetune.generate;

/**
 * One generated sequence: the new text (without the prompt, a stop sequence cut off), the new token
 * ids (the end-of-sequence token not included), the prompt's token count, and why it stopped.
 */
public record GenerationResult(String text, int[] tokenIds, int promptTokens, FinishReason finishReason) {

    /** Number of tokens generated. */
    public int generatedTokens() {
        return tokenIds.length;
    }
}
