package dev.trellis.retrieval.lucene;

/**
 * When {@link LuceneEmbeddingStore} makes its writes durable with a Lucene commit.
 *
 * <p>A commit fsyncs the new segment files and atomically publishes a new {@code segments_N}; after
 * a crash (even {@code kill -9}) the store reopens at the last commit, never half-written. Searches
 * see writes immediately in every policy (near-real-time readers); the policy only decides what
 * survives a crash.
 */
public final class CommitPolicy {

    private static final CommitPolicy AFTER_EVERY_WRITE = new CommitPolicy(0, "afterEveryWrite");
    private static final CommitPolicy MANUAL = new CommitPolicy(-1, "manual");

    private final long everyDocuments;
    private final String description;

    private CommitPolicy(long everyDocuments, String description) {
        this.everyDocuments = everyDocuments;
        this.description = description;
    }

    /** Commit at the end of every add/remove call (the default): safest, one fsync per call. */
    public static CommitPolicy afterEveryWrite() {
        return AFTER_EVERY_WRITE;
    }

    /**
     * Commit whenever {@code documents} documents were added since the last commit, also inside one
     * large {@code addAll}; each commit then holds an exact prefix of what was added. Removals commit
     * at the end of their call.
     */
    public static CommitPolicy everyDocuments(long documents) {
        if (documents < 1) {
            throw new IllegalArgumentException("CommitPolicy.everyDocuments(" + documents
                    + "): the interval must be at least 1 document; use manual() to commit only on commit()/close()");
        }
        return new CommitPolicy(documents, "everyDocuments(" + documents + ")");
    }

    /** Commit only on {@link LuceneEmbeddingStore#commit()} and on close: fastest bulk loading. */
    public static CommitPolicy manual() {
        return MANUAL;
    }

    boolean commitsAfterEveryWrite() {
        return everyDocuments == 0;
    }

    boolean isManual() {
        return everyDocuments < 0;
    }

    /** Documents between commits, or {@code Long.MAX_VALUE} when writes are not split by count. */
    long documentInterval() {
        return everyDocuments > 0 ? everyDocuments : Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "CommitPolicy." + description;
    }
}
