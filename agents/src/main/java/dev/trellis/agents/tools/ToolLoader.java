package dev.trellis.agents.tools;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Loads built-in tools by name with their configuration (LangChain's {@code load_tools}):
 *
 * <pre>{@code
 * List<AgentTool> tools = Tools.loader().llm(llm).retriever(retriever)
 *         .wikipediaEndpoint(URI.create("http://localhost:8080/w/api.php"))
 *         .load(List.of("llm-math", "wikipedia", "search-documents", "date"));
 * }</pre>
 */
public final class ToolLoader {

    /** The names {@link #load(List)} knows. */
    public static final List<String> BUILT_IN = List.of("llm-math", "wikipedia", "search-documents", "date");

    private ChatModel llm;
    private ContentRetriever retriever;
    private URI wikipediaEndpoint = WikipediaTool.DEFAULT_ENDPOINT;
    private Duration wikipediaTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemDefaultZone();

    ToolLoader() {
    }

    /** The model {@code llm-math} uses to write expressions. */
    public ToolLoader llm(ChatModel llm) {
        this.llm = llm;
        return this;
    }

    /** The retriever behind {@code search-documents}. */
    public ToolLoader retriever(ContentRetriever retriever) {
        this.retriever = retriever;
        return this;
    }

    public ToolLoader wikipediaEndpoint(URI endpoint) {
        this.wikipediaEndpoint = Objects.requireNonNull(endpoint, "endpoint");
        return this;
    }

    public ToolLoader wikipediaTimeout(Duration timeout) {
        this.wikipediaTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** The clock {@code date} reads. */
    public ToolLoader clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** The named tools, in order, as a mutable list (add your own to it). */
    public List<AgentTool> load(List<String> names) {
        Objects.requireNonNull(names, "names");
        List<AgentTool> tools = new ArrayList<>(names.size());
        for (String raw : names) {
            String name = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            switch (name) {
                case "llm-math" -> {
                    if (llm == null) {
                        throw new IllegalArgumentException("tool 'llm-math' needs a model: Tools.load(names, llm) or Tools.loader().llm(llm)");
                    }
                    tools.add(LlmMathTool.create(llm));
                }
                case "wikipedia" -> tools.add(WikipediaTool.builder().endpoint(wikipediaEndpoint).timeout(wikipediaTimeout).build());
                case "search-documents" -> {
                    if (retriever == null) {
                        throw new IllegalArgumentException("tool 'search-documents' needs a retriever: "
                                + "Tools.loader().retriever(contentRetriever).load(...) or Tools.searchDocuments(retriever)");
                    }
                    tools.add(SearchDocumentsTool.create(retriever));
                }
                case "date" -> tools.add(Tools.date(clock));
                default -> throw new IllegalArgumentException("unknown built-in tool '" + raw + "'; known: " + BUILT_IN
                        + " (make your own with Tools.fromObject or AgentTool.of)");
            }
        }
        return tools;
    }
}
