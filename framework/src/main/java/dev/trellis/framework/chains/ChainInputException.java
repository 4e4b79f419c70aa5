package dev.trellis.framework.chains;

/** A chain called without an input it needs, or built from parts that do not fit together. */
public class ChainInputException extends IllegalArgumentException {

    public ChainInputException(String message) {
        super(message);
    }
}
