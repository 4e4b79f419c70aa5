package dev.trellis.agents.tools.sandbox;

/**
 * Thrown into a snippet that prints past the output cap. An {@link Error}, not an exception, so
 * that {@link java.io.PrintStream} (which swallows {@code IOException}s) lets it through and the
 * snippet stops.
 */
final class OutputLimitExceededError extends Error {

    private static final long serialVersionUID = 1L;

    OutputLimitExceededError(int capBytes) {
        super("output passed the sandbox cap of " + capBytes + " bytes", null, false, false);
    }
}
