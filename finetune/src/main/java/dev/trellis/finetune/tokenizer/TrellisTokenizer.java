package dev.trellis.finetune.tokenizer;

import java.util.OptionalInt;

/**
 * A tokenizer as the finetune module needs it: plain encode/decode with no hidden extras.
 *
 * <p>{@link #encode(String)} never adds BOS/EOS, never truncates and never pads: the data
 * pipeline decides where special tokens go and how long a sequence may be. Implementations
 * hold native resources, so close them.
 */
public interface TrellisTokenizer extends AutoCloseable {

    /** Token ids of {@code text}, exactly as the tokenizer splits it, with nothing added or cut. */
    int[] encode(String text);

    /** Text of {@code ids}; special tokens are kept. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /** Text of {@code ids}, optionally dropping special tokens such as the end-of-sequence token. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Id of the end-of-sequence token, appended after every training example. */
    int eosTokenId();

    /** Id used to pad batches; the end-of-sequence token unless the tokenizer defines a pad token. */
    int padTokenId();

    /** Id of the beginning-of-sequence token, if the tokenizer has one. */
    OptionalInt bosTokenId();

    /** Number of ids the model's embedding must cover (largest id + 1). */
    int vocabSize();

    /** Id of a single token given by its string form, if the vocabulary holds it. */
    OptionalInt tokenToId(String token);

    /** Number of tokens {@code text} encodes to. */
    default int countTokens(String text) {
        return encode(text).length;
    }

    @Override
    void close();
}
