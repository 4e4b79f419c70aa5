package dev.trellis.retrieval.qa;

import dev.langchain4j.data.document.Document;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link VectorstoreIndex#queryWithSources(String)} returns, LangChain's
 * {@code {"question", "answer", "sources"}}: the answer and the documents it was written from.
 */
public record AnswerWithSources(String question, String answer, List<Document> sourceDocuments) {

    public AnswerWithSources {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        sourceDocuments = List.copyOf(sourceDocuments);
    }

    /**
     * Where the answer came from, one entry per source document in retrieval order, without repeats:
     * the {@code source} metadata, with {@code #row=N} when the document has a {@code row}
     * (a CSV row), e.g. {@code catalog.csv#row=41}.
     */
    public List<String> sources() {
        Set<String> sources = new LinkedHashSet<>();
        for (Document document : sourceDocuments) {
            String source = document.metadata().getString("source");
            Object row = document.metadata().toMap().get("row");
            String name = source == null ? "(unknown source)" : source;
            sources.add(row == null ? name : name + "#row=" + row);
        }
        return List.copyOf(sources);
    }
}
