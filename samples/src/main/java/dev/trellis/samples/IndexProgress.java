package dev.trellis.samples;

import dev.trellis.retrieval.qa.IndexingProgressListener;

import java.nio.file.Path;

/** Progress of building an index: a bar (or log lines) for splitting the documents, then one for embedding them. */
final class IndexProgress implements IndexingProgressListener, AutoCloseable {

    private final String name;
    private Progress splitting;
    private Progress embedding;

    IndexProgress(Path source) {
        this.name = source.getFileName().toString();
    }

    @Override
    public void onDocumentsSplit(int done, int total) {
        if (splitting == null) {
            splitting = Progress.start("Splitting " + name, total);
        }
        splitting.stepBy(done - splitting.done());
    }

    @Override
    public void onSegmentsIndexed(int done, int total) {
        if (splitting != null) {
            splitting.close();
        }
        if (embedding == null) {
            embedding = Progress.start("Embedding " + name, total);
        }
        embedding.stepBy(done - embedding.done());
    }

    @Override
    public void close() {
        if (splitting != null) {
            splitting.close();
        }
        if (embedding != null) {
            embedding.close();
        }
    }
}
