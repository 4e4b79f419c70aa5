package dev.trellis.framework.chains;

/** Reading the outputs of a {@link BatchResult} whose input failed; the cause is that input's exception. */
public class ChainBatchException extends RuntimeException {

    public ChainBatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
