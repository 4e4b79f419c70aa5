package dev.trellis.retrieval.qa;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@link RetrievalQA} turns the retrieved documents into one answer, LangChain's {@code chain_type}.
 */
public enum ChainType {

    /** All documents in one prompt, joined by the document separator: one model call. The default. */
    STUFF("stuff"),

    /** One call per document to pull out what is relevant, then one call that answers from those extracts. */
    MAP_REDUCE("map_reduce"),

    /** An answer from the first document, then one call per further document to improve it. */
    REFINE("refine"),

    /** One call per document returning an answer and a score; the best-scored answer wins. */
    MAP_RERANK("map_rerank");

    private final String langChainName;

    ChainType(String langChainName) {
        this.langChainName = langChainName;
    }

    /** The name LangChain uses, e.g. {@code "map_reduce"}. */
    public String langChainName() {
        return langChainName;
    }

    /**
     * The chain type called {@code name}: LangChain's spelling ({@code "stuff"}, {@code "map_reduce"},
     * {@code "refine"}, {@code "map_rerank"}), case-insensitive, with {@code -} accepted for {@code _}.
     */
    public static ChainType fromName(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (ChainType type : values()) {
                if (type.langChainName.equals(wanted)) {
                    return type;
                }
            }
        }
        throw new IllegalArgumentException("unknown RetrievalQA chain type '" + name + "'; use one of "
                + Arrays.stream(values()).map(ChainType::langChainName).collect(Collectors.joining(", ")));
    }
}
