package dev.trellis.finetune.tokenizer;

/** A tokenizer could not be loaded, trained or written; the message says which file and why. */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
