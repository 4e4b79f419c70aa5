package dev.trellis.retrieval.lucene;

import java.nio.file.Path;

/**
 * Another {@link LuceneEmbeddingStore} (in this JVM or another process) already writes to the same
 * directory. Lucene allows one writer per index: close the other store, or give this one its own
 * directory.
 */
public final class StoreLockedException extends IllegalStateException {

    private final transient Path directory;

    public StoreLockedException(Path directory, Throwable cause) {
        super("the Lucene embedding store at " + directory + " is already open for writing by another store"
                + " (in this JVM or another process); close that store first, or use a different directory", cause);
        this.directory = directory;
    }

    /** The directory that is locked. */
    public Path directory() {
        return directory;
    }
}
