package dev.trellis.finetune.serve;

/**
 * A {@link ModelServer} cannot start as configured: its port is taken, its address cannot be bound or
 * resolved, or a non-loopback address has no API key. The message names the setting to change, by
 * its {@code trellis serve} flag.
 */
public class ServerStartException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
