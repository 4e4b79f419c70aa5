package dev.trellis.samples.bench;

import dev.trellis.finetune.tokenizer.BpeVocabulary;
import dev.trellis.finetune.tokenizer.ByteLevel;
import java.util.ArrayList;
import java.util.List;

/**
 * A valid byte-level BPE tokenizer of exactly {@code size} tokens, for a random-weight checkpoint of a
 * published shape (vocab 49152, 151936) that another engine must load with a tokenizer: id 0 is
 * {@code <|endoftext|>}, ids 1..256 the 256 bytes (GPT-2's byte-to-character map), and every later id
 * the merge of an earlier token with one byte, in order, so each merge's parts and result are in the
 * vocabulary and every id decodes. The tokens mean nothing; speed does not depend on what they mean.
 */
final class SyntheticTokenizer {

    static final String END_OF_TEXT = "<|endoftext|>";

    private SyntheticTokenizer() {
    }

    static BpeVocabulary ofSize(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a tokenizer needs at least 2 tokens (end-of-text and one byte); got " + size);
        }
        List<String> bytes = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            bytes.add(String.valueOf(ByteLevel.charOf(b)));
        }
        List<String> vocab = new ArrayList<>(size);
        vocab.add(END_OF_TEXT);
        vocab.addAll(bytes.subList(0, Math.min(256, size - 1)));
        List<String> merges = new ArrayList<>(Math.max(0, size - vocab.size()));
        // Token 257 + k joins token 1 + k / 256 (a byte, then the 2-byte tokens as they appear) with byte k % 256:
        // distinct left parts and a one-character right part make every new token distinct and longer than a byte.
        for (int k = 0; vocab.size() < size; k++) {
            String left = vocab.get(1 + k / 256);
            String right = bytes.get(k % 256);
            merges.add(left + " " + right);
            vocab.add(left + right);
        }
        return new BpeVocabulary(vocab, merges, List.of(END_OF_TEXT), false, false);
    }
}
