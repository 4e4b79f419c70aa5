package dev.trellis.samples;

/**
 * A mistake in what the user gave a command (a file, a flag, the environment), worded for the command
 * line: what is wrong with which input, and the flag or command that fixes it. The {@code trellis}
 * command prints it as one message and exits with code 2; the stack trace only with {@code --verbose}.
 */
public final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
