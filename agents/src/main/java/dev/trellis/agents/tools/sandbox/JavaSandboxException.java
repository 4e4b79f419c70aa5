package dev.trellis.agents.tools.sandbox;

/**
 * The sandbox cannot run snippets: its JVM could not be started, or the runtime cannot enforce the
 * sandbox (no SecurityManager on Java 24+). The tool refuses rather than run code unconfined.
 */
public class JavaSandboxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JavaSandboxException(String message) {
        super(message);
    }

    public JavaSandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
