package dev.trellis.retrieval.embeddings;

/** A text is longer than the embedding model reads, and the caller asked not to cut it. */
public class TextTooLongException extends RuntimeException {

    private final int index;
    private final int tokens;

    public TextTooLongException(int index, int tokens, String message) {
        super(message);
        this.index = index;
        this.tokens = tokens;
    }

    /** Position of the text in the call's input list. */
    public int index() {
        return index;
    }

    /** Its length in tokens, [CLS] and [SEP] included. */
    public int tokens() {
        return tokens;
    }
}
