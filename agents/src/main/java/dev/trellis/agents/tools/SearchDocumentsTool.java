package dev.trellis.agents.tools;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A langchain4j {@link ContentRetriever} (a Trellis Lucene store, a hybrid retriever, or any
 * langchain4j store) as a tool, so an agent can answer offline from the user's own documents.
 * The observation lists the retrieved passages, numbered, each with its source when the segment's
 * metadata names one.
 */
public final class SearchDocumentsTool implements AgentTool {

    /** The default name, as {@code Tools.load("search-documents")} creates it. */
    public static final String NAME = "search_documents";

    private final ContentRetriever retriever;
    private final String name;
    private final String description;

    private SearchDocumentsTool(ContentRetriever retriever, String name, String description) {
        this.retriever = Objects.requireNonNull(retriever, "search-documents needs a ContentRetriever");
        this.name = FunctionTool.checkName(name);
        this.description = Objects.requireNonNull(description, "description");
    }

    /** The tool over this retriever, named {@value #NAME}. */
    public static SearchDocumentsTool create(ContentRetriever retriever) {
        return new SearchDocumentsTool(retriever, NAME,
                "Searches the user's own documents and returns the most relevant passages. "
                        + "Use it for questions about the user's products, files or data. Input should be a search query.");
    }

    /** The tool with a name and description of your own, e.g. {@code "catalog"} / "Searches the product catalog". */
    public static SearchDocumentsTool create(ContentRetriever retriever, String name, String description) {
        return new SearchDocumentsTool(retriever, name, description);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String run(String query) {
        if (query == null || query.isBlank()) {
            return "search_documents needs a search query; the input was empty.";
        }
        List<Content> contents = retriever.retrieve(Query.from(query.trim()));
        if (contents.isEmpty()) {
            return "No documents matched '" + query.trim() + "'.";
        }
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (Content content : contents) {
            TextSegment segment = content.textSegment();
            if (out.length() > 0) {
                out.append("\n\n");
            }
            out.append('[').append(++n).append("] ").append(segment.text().trim());
            String source = sourceOf(segment.metadata().toMap());
            if (source != null) {
                out.append("\n(source: ").append(source).append(')');
            }
        }
        return out.toString();
    }

    private static String sourceOf(Map<String, Object> metadata) {
        for (String key : List.of("source", "file_name", "url", "id", "row")) {
            Object value = metadata.get(key);
            if (value != null) {
                return key.equals("row") ? "row " + value : value.toString();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "SearchDocumentsTool[" + name + "]";
    }
}
