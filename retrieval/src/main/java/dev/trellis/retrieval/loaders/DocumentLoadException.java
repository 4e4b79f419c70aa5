package dev.trellis.retrieval.loaders;

import java.nio.file.Path;

/**
 * A file could not be turned into documents: it is missing, empty, not text, or malformed.
 * The message names the file, what is wrong and what to do about it.
 */
public class DocumentLoadException extends RuntimeException {

    private final Path source;

    public DocumentLoadException(Path source, String message) {
        super(message);
        this.source = source;
    }

    public DocumentLoadException(Path source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** The file that failed to load. */
    public Path source() {
        return source;
    }
}
