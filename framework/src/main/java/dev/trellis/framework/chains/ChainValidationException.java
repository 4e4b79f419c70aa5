package dev.trellis.framework.chains;

/**
 * A chain that cannot be built: a composite whose parts do not connect (a variable no one
 * produces, a requested output no one makes, a step with the wrong number of keys).
 */
public class ChainValidationException extends IllegalArgumentException {

    public ChainValidationException(String message) {
        super(message);
    }
}
