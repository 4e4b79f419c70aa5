package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;

import java.util.List;

/**
 * What a load produced: the documents, and every record or file that was skipped with its reason.
 * Strict loads never skip (they throw), so {@link #skipped()} is empty for them.
 */
public record LoadReport(List<Document> documents, List<SkippedRecord> skipped) {

    public LoadReport {
        documents = List.copyOf(documents);
        skipped = List.copyOf(skipped);
    }

    /** True when nothing was skipped. */
    public boolean isComplete() {
        return skipped.isEmpty();
    }

    @Override
    public String toString() {
        return documents.size() + " documents, " + skipped.size() + " skipped" + (skipped.isEmpty() ? "" : ": " + skipped);
    }
}
