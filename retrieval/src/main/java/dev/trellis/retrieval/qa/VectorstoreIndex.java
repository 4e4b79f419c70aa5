package dev.trellis.retrieval.qa;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.trellis.framework.io.FileTrees;
import dev.trellis.framework.models.Models;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.EmbeddingSegmenter;
import dev.trellis.retrieval.embeddings.MiniLmModel;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.loaders.Loader;
import dev.trellis.retrieval.lucene.CommitPolicy;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Documents in, questions answered: LangChain's {@code VectorstoreIndexCreator} one-liner. Loads the
 * documents, splits them to fit the embedding model, embeds them (all-MiniLM-L6-v2, batched, by default)
 * and keeps them in a {@link LuceneEmbeddingStore} on disk.
 *
 * <pre>{@code
 * try (VectorstoreIndex index = VectorstoreIndex.fromCsv(Path.of("catalog.csv"))) {
 *     String answer = index.query("Please list all your shirts with sun protection in a table.");
 *     AnswerWithSources withSources = index.queryWithSources("Which jackets are waterproof?", llm);
 * }
 * }</pre>
 *
 * <p>The index persists. By default it lives in {@code $TRELLIS_HOME/cache/indexes/<key>}
 * ({@code TRELLIS_HOME} defaults to {@code ~/.trellis}; the system property {@code trellis.home} overrides
 * both), where {@code <key>} is the SHA-256 of the CSV file's bytes (or, for {@link #fromLoaders}, of the
 * loaded documents' text and metadata) followed by a short hash of the embedding model and chunking
 * settings: the same file with the same settings is embedded once, and a changed file or setting gets a
 * new index. {@link Builder#indexDirectory(Path)} chooses the directory instead. A marker file is written
 * after the index's final commit; a directory without it (a build that crashed) is cleared and rebuilt.
 *
 * <p>Documents longer than {@link Builder#maxDocumentChars} (a million characters by default) are refused
 * with a {@link DocumentTooLargeException} before anything is split or embedded; splitting takes time linear
 * in the text ({@link EmbeddingSegmenter}). A build that fails leaves no directory it created behind.
 *
 * <p>Close the index to release the store's lock and, unless you passed your own, the embedding model.
 */
public final class VectorstoreIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VectorstoreIndex.class);

    /** {@link Builder#maxDocumentChars}'s default: one million characters. */
    public static final int DEFAULT_MAX_DOCUMENT_CHARS = 1_000_000;

    private final LuceneEmbeddingStore store;
    private final EmbeddingModel embeddingModel;
    private final boolean ownsEmbeddingModel;
    private final int k;
    private final ChainType chainType;
    private final boolean reused;
    private final int segmentCount;
    private ChatModel environmentModel;

    private VectorstoreIndex(LuceneEmbeddingStore store, EmbeddingModel embeddingModel, boolean ownsEmbeddingModel,
                             int k, ChainType chainType, boolean reused, int segmentCount) {
        this.store = store;
        this.embeddingModel = embeddingModel;
        this.ownsEmbeddingModel = ownsEmbeddingModel;
        this.k = k;
        this.chainType = chainType;
        this.reused = reused;
        this.segmentCount = segmentCount;
    }

    /** An index over a CSV file (one document per row, {@link CsvLoader}'s defaults), cached by the file's content. */
    public static VectorstoreIndex fromCsv(Path csv) {
        return builder().csv(csv).build();
    }

    /** An index over everything the loaders load (LangChain's {@code VectorstoreIndexCreator().from_loaders([...])}). */
    public static VectorstoreIndex fromLoaders(Loader... loaders) {
        return builder().loaders(List.of(loaders)).build();
    }

    /** An index over everything the loaders load. */
    public static VectorstoreIndex fromLoaders(List<? extends Loader> loaders) {
        return builder().loaders(loaders).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Answers with the model {@link Models#fromEnvironment()} picks (created on first use). */
    public String query(String question) {
        return query(question, environmentModel());
    }

    /** Answers with {@code llm}: retrieval of {@code k} segments, then a {@link RetrievalQA} of this index's chain type. */
    public String query(String question, ChatModel llm) {
        return String.valueOf(qa(llm, false).call(Map.of(RetrievalQA.DEFAULT_INPUT_KEY, question)).get(RetrievalQA.DEFAULT_OUTPUT_KEY));
    }

    /** The answer and the documents it came from, with the model {@link Models#fromEnvironment()} picks. */
    public AnswerWithSources queryWithSources(String question) {
        return queryWithSources(question, environmentModel());
    }

    /** The answer and the documents it came from. */
    @SuppressWarnings("unchecked")
    public AnswerWithSources queryWithSources(String question, ChatModel llm) {
        Map<String, Object> out = qa(llm, true).call(Map.of(RetrievalQA.DEFAULT_INPUT_KEY, question));
        return new AnswerWithSources(question, String.valueOf(out.get(RetrievalQA.DEFAULT_OUTPUT_KEY)),
                (List<Document>) out.get(RetrievalQA.SOURCE_DOCUMENTS_KEY));
    }

    /** A retriever of the {@code k} most similar segments, for a {@link RetrievalQA} or any langchain4j RAG pipeline. */
    public ContentRetriever asRetriever() {
        return asRetriever(k);
    }

    /** A retriever of the {@code maxResults} most similar segments. */
    public ContentRetriever asRetriever(int maxResults) {
        return EmbeddingStoreContentRetriever.builder().embeddingStore(store).embeddingModel(embeddingModel)
                .maxResults(maxResults).build();
    }

    /** The Lucene store holding the segments (LangChain's {@code index.vectorstore}). */
    public LuceneEmbeddingStore vectorStore() {
        return store;
    }

    /** The model that embedded the segments; questions must be embedded with it too. */
    public EmbeddingModel embeddingModel() {
        return embeddingModel;
    }

    /** The index directory. */
    public Path directory() {
        return store.directory();
    }

    /** True when this index was opened from a finished index on disk without embedding anything. */
    public boolean reusedExisting() {
        return reused;
    }

    /** Number of embedded segments. */
    public int segmentCount() {
        return segmentCount;
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            if (ownsEmbeddingModel && embeddingModel instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("closing the embedding model failed: {}", e.toString());
                }
            }
        }
    }

    private RetrievalQA qa(ChatModel llm, boolean withSources) {
        return RetrievalQA.builder().chatModel(Objects.requireNonNull(llm, "llm")).retriever(asRetriever())
                .chainType(chainType).returnSourceDocuments(withSources).build();
    }

    private synchronized ChatModel environmentModel() {
        if (environmentModel == null) {
            environmentModel = Models.fromEnvironment();
        }
        return environmentModel;
    }

    /** Configures and builds (or reopens) a {@link VectorstoreIndex}; give it a CSV file or loaders. */
    public static final class Builder {
        private Path csv;
        private final List<Loader> loaders = new ArrayList<>();
        private EmbeddingModel embeddingModel;
        private DocumentSplitter splitter;
        private int maxSegmentTokens = MiniLmModel.MAX_TOKENS;
        private int overlapTokens;
        private Path indexDirectory;
        private int k = 4;
        private ChainType chainType = ChainType.STUFF;
        private int batchSize = 256;
        private int maxDocumentChars = DEFAULT_MAX_DOCUMENT_CHARS;
        private IndexingProgressListener progressListener = (done, total) -> { };

        private Builder() {
        }

        /** Index this CSV file (one document per row); the cache key is the SHA-256 of its bytes. */
        public Builder csv(Path csv) {
            this.csv = Objects.requireNonNull(csv, "csv");
            return this;
        }

        /** Index what these loaders load; the cache key is a SHA-256 of the documents' text and metadata. */
        public Builder loaders(List<? extends Loader> loaders) {
            for (Loader loader : Objects.requireNonNull(loaders, "loaders")) {
                this.loaders.add(Objects.requireNonNull(loader, "loaders contains null"));
            }
            return this;
        }

        /** The embedding model (default: all-MiniLM-L6-v2 through {@link BatchedEmbeddingModel}, closed with the index). */
        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /**
         * How documents are split (default: {@link EmbeddingSegmenter}, segments that fit MiniLM's 128 tokens).
         * The cache key knows only the splitter's class: use a new directory when you change its settings.
         */
        public Builder splitter(DocumentSplitter splitter) {
            this.splitter = splitter;
            return this;
        }

        /** Segment size in MiniLM tokens for the default splitter (8..128, default 128). */
        public Builder maxSegmentTokens(int maxSegmentTokens) {
            this.maxSegmentTokens = maxSegmentTokens;
            return this;
        }

        /** Tokens shared by neighbouring segments for the default splitter (default 0). */
        public Builder overlapTokens(int overlapTokens) {
            this.overlapTokens = overlapTokens;
            return this;
        }

        /** Where the index lives (default: the cache directory keyed by content and settings). */
        public Builder indexDirectory(Path indexDirectory) {
            this.indexDirectory = indexDirectory;
            return this;
        }

        /** Segments retrieved per question by {@link #query} and {@link #asRetriever()} (default 4). */
        public Builder k(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("k(" + k + ") must be at least 1");
            }
            this.k = k;
            return this;
        }

        /** The chain type {@link #query} uses (default stuff). */
        public Builder chainType(ChainType chainType) {
            this.chainType = Objects.requireNonNull(chainType, "chainType");
            return this;
        }

        /** Segments embedded and added per step while building (default 256). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize(" + batchSize + ") must be at least 1");
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The longest document accepted, in characters (default {@value #DEFAULT_MAX_DOCUMENT_CHARS}); a longer
         * one is refused with a {@link DocumentTooLargeException} before anything is split or embedded. A
         * million characters make about 2,500 segments, a few minutes of embedding on a laptop.
         */
        public Builder maxDocumentChars(int maxDocumentChars) {
            if (maxDocumentChars < 1) {
                throw new IllegalArgumentException("maxDocumentChars(" + maxDocumentChars + ") must be at least 1");
            }
            this.maxDocumentChars = maxDocumentChars;
            return this;
        }

        /** Called after each embedded batch while building (not when a finished index is reused): for a progress bar. */
        public Builder progressListener(IndexingProgressListener progressListener) {
            this.progressListener = Objects.requireNonNull(progressListener, "progressListener");
            return this;
        }

        /** Opens the finished index for this content and these settings, or builds it. */
        public VectorstoreIndex build() {
            if ((csv == null) == loaders.isEmpty()) {
                throw new IllegalArgumentException("VectorstoreIndex needs exactly one source: csv(path) or loaders(...); got "
                        + (csv == null ? "neither" : "both"));
            }
            boolean ownsModel = embeddingModel == null;
            EmbeddingModel model = ownsModel ? BatchedEmbeddingModel.create() : embeddingModel;
            try {
                return open(model, ownsModel);
            } catch (RuntimeException | Error e) {
                if (ownsModel) {
                    ((BatchedEmbeddingModel) model).close();
                }
                throw e;
            }
        }

        private VectorstoreIndex open(EmbeddingModel model, boolean ownsModel) {
            List<Document> documents = null;
            String contentHash;
            if (csv != null) {
                contentHash = sha256(csv);
            } else {
                documents = loadAll();
                contentHash = sha256(documents);
            }
            String key = contentHash + "-" + settingsHash(model);
            Path dir = (indexDirectory != null ? indexDirectory : IndexDirectory.cacheDirectory(key)).toAbsolutePath().normalize();
            Optional<IndexDirectory.Marker> marker = IndexDirectory.readMarker(dir);
            if (marker.isPresent() && marker.get().key().equals(key)) {
                LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).build();
                if (store.size() == marker.get().segments() && store.dimension() == model.dimension()) {
                    LOG.info("Reusing the index at {} ({} segments of {} documents); nothing re-embedded", dir,
                            marker.get().segments(), marker.get().documents());
                    return new VectorstoreIndex(store, model, ownsModel, k, chainType, true, marker.get().segments());
                }
                LOG.warn("The index at {} holds {} segments of dimension {} but its marker says {} of dimension {};"
                        + " rebuilding it", dir, store.size(), store.dimension(), marker.get().segments(), model.dimension());
                store.close();
            } else if (marker.isPresent()) {
                LOG.info("The index at {} was built from other content or settings; rebuilding it", dir);
            } else if (Files.isDirectory(dir)) {
                LOG.info("The index at {} has no completion marker (an earlier build did not finish); rebuilding it", dir);
            }
            if (documents == null) {
                documents = loadAll();
            }
            // Everything that can fail on the input happens before the directory is touched.
            List<TextSegment> segments = split(documents);
            boolean existed = Files.exists(dir);
            try {
                IndexDirectory.clear(dir);
                return buildInto(dir, key, documents, segments, model, ownsModel);
            } catch (RuntimeException | Error e) {
                if (!existed) {
                    // a build that failed leaves nothing behind in a directory it created
                    try {
                        FileTrees.delete(dir);
                    } catch (IOException | RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                throw e;
            }
        }

        private VectorstoreIndex buildInto(Path dir, String key, List<Document> documents, List<TextSegment> segments,
                                           EmbeddingModel model, boolean ownsModel) {
            long start = System.nanoTime();
            LuceneEmbeddingStore store = LuceneEmbeddingStore.builder().directory(dir).dimension(model.dimension())
                    .commitPolicy(CommitPolicy.manual()).build();
            try {
                for (int from = 0; from < segments.size(); from += batchSize) {
                    List<TextSegment> batch = segments.subList(from, Math.min(segments.size(), from + batchSize));
                    List<Embedding> embeddings = model.embedAll(batch).content();
                    if (embeddings.size() != batch.size()) {
                        throw new IndexBuildException(dir, "the embedding model returned " + embeddings.size()
                                + " embeddings for " + batch.size() + " segments");
                    }
                    store.addAll(embeddings, batch);
                    LOG.debug("Indexed {}/{} segments into {}", from + batch.size(), segments.size(), dir);
                    progressListener.onSegmentsIndexed(from + batch.size(), segments.size());
                }
                store.commit();
                IndexDirectory.writeMarker(dir, new IndexDirectory.Marker(key, documents.size(), segments.size(),
                        describe(model), model.dimension()));
            } catch (RuntimeException | Error e) {
                store.close();
                throw e;
            }
            LOG.info("Built the index at {}: {} documents, {} segments in {} s", dir, documents.size(), segments.size(),
                    String.format("%.1f", (System.nanoTime() - start) / 1e9));
            return new VectorstoreIndex(store, model, ownsModel, k, chainType, false, segments.size());
        }

        private List<Document> loadAll() {
            List<Document> documents = new ArrayList<>();
            if (csv != null) {
                documents.addAll(CsvLoader.from(csv).load());
            }
            for (Loader loader : loaders) {
                documents.addAll(loader.load());
            }
            if (documents.isEmpty()) {
                throw new IllegalArgumentException("VectorstoreIndex: " + (csv != null ? csv : "the loaders " + loaders)
                        + " produced no documents; there is nothing to index");
            }
            return documents;
        }

        private List<TextSegment> split(List<Document> documents) {
            long characters = 0;
            for (int i = 0; i < documents.size(); i++) {
                Document document = documents.get(i);
                int length = document.text().length();
                if (length > maxDocumentChars) {
                    throw new DocumentTooLargeException(describeSource(document, i), length, maxDocumentChars);
                }
                characters += length;
            }
            LOG.info("Splitting {} documents ({} characters) into segments", documents.size(), characters);
            long start = System.nanoTime();
            List<TextSegment> segments = new ArrayList<>();
            try (EmbeddingSegmenter segmenter = splitter != null ? null : EmbeddingSegmenter.builder()
                    .maxTokens(maxSegmentTokens).overlapTokens(overlapTokens).build()) {
                DocumentSplitter chosen = splitter != null ? splitter : segmenter;
                for (int i = 0; i < documents.size(); i++) {
                    segments.addAll(chosen.split(documents.get(i)));
                    progressListener.onDocumentsSplit(i + 1, documents.size());
                }
            }
            LOG.info("Split {} documents into {} segments in {} s", documents.size(), segments.size(),
                    String.format("%.1f", (System.nanoTime() - start) / 1e9));
            return segments;
        }

        /** A document's origin for messages: its source and row (or file position) when the metadata has them. */
        private static String describeSource(Document document, int position) {
            String source = document.metadata().getString("source");
            Object row = document.metadata().toMap().get("row");
            if (source == null) {
                return "document " + (position + 1);
            }
            return source + (row != null ? " row " + row : "");
        }

        private String settingsHash(EmbeddingModel model) {
            String chunking = splitter != null ? "splitter=" + splitter.getClass().getName()
                    : "segmenter=" + maxSegmentTokens + "/" + overlapTokens;
            String settings = "v1;" + describe(model) + ";" + chunking;
            return sha256Hex(settings.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        }

        private static String describe(EmbeddingModel model) {
            String name;
            try {
                name = model.modelName();
            } catch (RuntimeException e) {
                name = "unknown";
            }
            return model.getClass().getName() + ":" + name + ":" + model.dimension();
        }

        private static String sha256(Path file) {
            MessageDigest digest = digest();
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the CSV file " + file + " to index it: " + e, e);
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        /** Text and metadata of every document, length-prefixed so that no two different lists hash alike. */
        private static String sha256(List<Document> documents) {
            MessageDigest digest = digest();
            for (Document document : documents) {
                update(digest, document.text());
                for (Map.Entry<String, Object> e : new TreeMap<>(document.metadata().toMap()).entrySet()) {
                    update(digest, e.getKey());
                    update(digest, e.getValue().getClass().getSimpleName() + ":" + e.getValue());
                }
                update(digest, "\u0000end");
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        private static void update(MessageDigest digest, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }

        private static String sha256Hex(byte[] bytes) {
            return HexFormat.of().formatHex(digest().digest(bytes));
        }

        private static MessageDigest digest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no SHA-256", e);
            }
        }
    }
}
