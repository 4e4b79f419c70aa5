package dev.trellis.retrieval.qa;

/**
 * Told how far a {@link VectorstoreIndex} build has come, after each embedded batch: drive a
 * progress bar with it. Not called when a finished index is reused (nothing is embedded then).
 */
@FunctionalInterface
public interface IndexingProgressListener {

    /** {@code done} of {@code total} segments are embedded and added to the store. */
    void onSegmentsIndexed(int done, int total);
}
