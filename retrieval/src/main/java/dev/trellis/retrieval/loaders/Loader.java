package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.segment.TextSegment;

import java.util.List;

/**
 * Turns a source into langchain4j {@link Document}s, like LangChain's {@code BaseLoader}.
 * Lenient loaders report what they skipped in {@link #loadWithReport()} and log it; nothing is dropped silently.
 */
public interface Loader {

    /** Loads every document, failing with a {@link DocumentLoadException} on bad input (or skipping it when lenient). */
    default List<Document> load() {
        return loadWithReport().documents();
    }

    /** Loads every document and reports what was skipped. */
    LoadReport loadWithReport();

    /** Loads and splits, like LangChain's {@code load_and_split}; segments keep their document's metadata. */
    default List<TextSegment> loadAndSplit(DocumentSplitter splitter) {
        return splitter.splitAll(load());
    }
}
