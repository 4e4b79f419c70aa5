package dev.trellis.retrieval.qa;

import java.nio.file.Path;

/** {@link VectorstoreIndex} could not build or reopen its index in a directory. */
public class IndexBuildException extends RuntimeException {

    private final Path directory;

    public IndexBuildException(Path directory, String message, Throwable cause) {
        super(message, cause);
        this.directory = directory;
    }

    public IndexBuildException(Path directory, String message) {
        this(directory, message, null);
    }

    /** The index directory concerned. */
    public Path directory() {
        return directory;
    }
}
