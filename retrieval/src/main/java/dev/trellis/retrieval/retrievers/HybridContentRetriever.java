package dev.trellis.retrieval.retrievers;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A langchain4j {@link ContentRetriever} that runs vector search and BM25 keyword search on a
 * {@link LuceneEmbeddingStore} and fuses both rankings with {@link ReciprocalRankFusion}. Semantic
 * search finds paraphrases; keyword search finds exact names, codes and rare words that embeddings
 * blur. Each returned {@link Content} carries the fused score ({@link ContentMetadata#SCORE}) and the
 * entry id ({@link ContentMetadata#EMBEDDING_ID}).
 *
 * <pre>{@code
 * ContentRetriever retriever = HybridContentRetriever.builder()
 *         .embeddingModel(new AllMiniLmL6V2EmbeddingModel())
 *         .embeddingStore(store)
 *         .maxResults(4)
 *         .build();
 * }</pre>
 */
public final class HybridContentRetriever implements ContentRetriever {

    private final EmbeddingModel embeddingModel;
    private final LuceneEmbeddingStore store;
    private final int maxResults;
    private final int candidates;
    private final int rrfK;
    private final Function<Query, Filter> filter;

    private HybridContentRetriever(Builder builder) {
        this.embeddingModel = builder.embeddingModel;
        this.store = builder.store;
        this.maxResults = builder.maxResults;
        this.candidates = builder.candidates != null ? builder.candidates : Math.max(20, 5 * builder.maxResults);
        this.rrfK = builder.rrfK;
        this.filter = builder.filter;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<Content> retrieve(Query query) {
        if (query == null || query.text() == null || query.text().isBlank()) {
            throw new IllegalArgumentException("HybridContentRetriever got an empty query; pass the user's question text");
        }
        Filter metadataFilter = filter.apply(query);
        List<EmbeddingMatch<TextSegment>> semantic = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embeddingModel.embed(query.text()).content())
                .maxResults(candidates)
                .filter(metadataFilter)
                .build()).matches();
        List<EmbeddingMatch<TextSegment>> keyword = store.keywordSearch(query.text(), candidates, metadataFilter);
        List<Content> contents = new ArrayList<>(maxResults);
        for (ReciprocalRankFusion.Fused<EmbeddingMatch<TextSegment>> fused
                : ReciprocalRankFusion.fuse(List.of(semantic, keyword), EmbeddingMatch::embeddingId, rrfK)) {
            if (contents.size() == maxResults) {
                break;
            }
            TextSegment segment = fused.item().embedded();
            if (segment != null) { // entries added without text have nothing to hand to a model
                contents.add(Content.from(segment, Map.of(
                        ContentMetadata.SCORE, fused.score(),
                        ContentMetadata.EMBEDDING_ID, fused.key())));
            }
        }
        return contents;
    }

    /** Configures a {@link HybridContentRetriever}; embeddingModel and embeddingStore are required. */
    public static final class Builder {

        private EmbeddingModel embeddingModel;
        private LuceneEmbeddingStore store;
        private int maxResults = 4;
        private Integer candidates;
        private int rrfK = 60;
        private Function<Query, Filter> filter = query -> null;

        private Builder() {
        }

        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        public Builder embeddingStore(LuceneEmbeddingStore store) {
            this.store = store;
            return this;
        }

        /** Contents returned per query (default 4, LangChain's k). */
        public Builder maxResults(int maxResults) {
            this.maxResults = maxResults;
            return this;
        }

        /** Results taken from each of the two searches before fusion (default max(20, 5 * maxResults)). */
        public Builder candidates(int candidates) {
            this.candidates = candidates;
            return this;
        }

        /** The k in 1 / (k + rank) (default 60): larger flattens the advantage of top ranks. */
        public Builder rrfK(int rrfK) {
            this.rrfK = rrfK;
            return this;
        }

        /** A metadata filter applied to both searches. */
        public Builder filter(Filter filter) {
            this.filter = query -> filter;
            return this;
        }

        /** A metadata filter chosen per query (for example from the user in its metadata). */
        public Builder dynamicFilter(Function<Query, Filter> filter) {
            if (filter == null) {
                throw new IllegalArgumentException("dynamicFilter is null; pass a function (it may return null for no filter)");
            }
            this.filter = filter;
            return this;
        }

        public HybridContentRetriever build() {
            if (embeddingModel == null) {
                throw new IllegalArgumentException("HybridContentRetriever needs embeddingModel(...), the model the store was filled with");
            }
            if (store == null) {
                throw new IllegalArgumentException("HybridContentRetriever needs embeddingStore(...), a LuceneEmbeddingStore");
            }
            if (maxResults < 1) {
                throw new IllegalArgumentException("maxResults(" + maxResults + ") must be at least 1");
            }
            if (candidates != null && candidates < maxResults) {
                throw new IllegalArgumentException("candidates(" + candidates + ") must be at least maxResults (" + maxResults + ")");
            }
            if (rrfK < 1) {
                throw new IllegalArgumentException("rrfK(" + rrfK + ") must be at least 1 (60 is customary)");
            }
            return new HybridContentRetriever(this);
        }
    }
}
