package dev.trellis.retrieval.qa;

/**
 * Told how far a {@link VectorstoreIndex} build has come: after each document is split, then after
 * each embedded batch. Drive a progress bar with it. Not called when a finished index is reused
 * (nothing is split or embedded then).
 */
@FunctionalInterface
public interface IndexingProgressListener {

    /** {@code done} of {@code total} segments are embedded and added to the store. */
    void onSegmentsIndexed(int done, int total);

    /** {@code done} of {@code total} documents are split into segments (before any is embedded). */
    default void onDocumentsSplit(int done, int total) {
    }
}
