package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.QueryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent langchain4j {@link EmbeddingStore} on a Lucene index in a directory on disk: HNSW
 * vector search by cosine similarity, metadata filters run as the kNN pre-filter, BM25 keyword search
 * over the segment text (for {@link dev.trellis.retrieval.retrievers.HybridContentRetriever}), and
 * optional int8 scalar quantization.
 *
 * <pre>{@code
 * try (LuceneEmbeddingStore store = LuceneEmbeddingStore.builder()
 *         .directory(Path.of("index"))
 *         .dimension(384)
 *         .build()) {
 *     store.addAll(embeddings, segments);
 *     List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
 *             .queryEmbedding(query).maxResults(4).filter(metadataKey("collection").isEqualTo("summer"))
 *             .build()).matches();
 * }
 * }</pre>
 *
 * <p>How it stays accurate: HNSW is approximate, so every search asks the graph for
 * {@code max(minCandidates, oversampleFactor * maxResults)} candidates and keeps the best
 * {@code maxResults}; with quantization all candidates are first rescored exactly against the original
 * float vectors. Reported scores are always computed exactly from the original vectors. Scores follow langchain4j's
 * convention, {@link RelevanceScore#fromCosineSimilarity(double) (cos + 1) / 2}.
 *
 * <p>How it stays safe: writes are made durable by Lucene commits according to the
 * {@link CommitPolicy}; a crash leaves the last commit intact. Searches see every finished write
 * (near-real-time readers via a {@link SearcherManager}) and may run concurrently with writes. One
 * store may write a directory at a time ({@link StoreLockedException}). Close the store to commit and
 * release its files and threads.
 *
 * <p>Internally vectors are indexed unit-normalized with the dot product (twice as fast as Lucene's
 * cosine on Java 17, same ranking); the original vector is kept in a doc-values field so matches
 * return exactly the embedding that was added.
 */
public final class LuceneEmbeddingStore implements EmbeddingStore<TextSegment>, Closeable {

    private static final Logger log = LoggerFactory.getLogger(LuceneEmbeddingStore.class);

    static {
        DotProduct.best(); // before any Lucene class picks its vector code; see DotProduct.Holder
    }

    static final String ID = "id";
    static final String TEXT = "text";
    static final String VECTOR = "vector";
    static final String RAW_VECTOR = "raw_vector";
    /** The id again, as doc values: a match reads it without decompressing a stored-fields block. */
    static final String ID_VALUE = "id_value";
    private static final String DIMENSION_KEY = "trellis.dimension";
    private static final String LAYOUT_KEY = "trellis.layout";
    private static final String LAYOUT = "1";
    private static final int INDEXING_BATCH = 1_000;

    private final Path path;
    private final int dimension;
    private final int oversampleFactor;
    private final int minCandidates;
    private final CommitPolicy commitPolicy;
    private final int indexingThreads;
    private final boolean quantized;
    private final Analyzer analyzer;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ExecutorService indexingPool;
    private final ExecutorService mergePool;
    private final ReentrantLock writeLock = new ReentrantLock();
    private long uncommittedDocuments;
    private volatile boolean stale;
    private volatile boolean closed;

    private LuceneEmbeddingStore(Builder builder) {
        this.path = builder.directory.toAbsolutePath().normalize();
        this.oversampleFactor = builder.oversampleFactor;
        this.minCandidates = builder.minCandidates;
        this.commitPolicy = builder.commitPolicy;
        this.indexingThreads = builder.indexingThreads;
        this.quantized = builder.quantized;
        this.analyzer = builder.analyzer != null ? builder.analyzer : new EnglishAnalyzer();
        this.indexingPool = indexingThreads > 1 ? Executors.newFixedThreadPool(indexingThreads, daemon("trellis-lucene-index")) : null;
        this.mergePool = builder.mergeThreads > 1 ? Executors.newFixedThreadPool(builder.mergeThreads, daemon("trellis-lucene-merge")) : null;
        Directory dir = null;
        IndexWriter w = null;
        try {
            Files.createDirectories(path);
            dir = FSDirectory.open(path);
            Integer existingDimension = DirectoryReader.indexExists(dir) ? storedDimension(dir) : null;
            this.dimension = resolveDimension(builder.dimension, existingDimension);
            KnnVectorsFormat format = quantized
                    ? new Lucene99HnswScalarQuantizedVectorsFormat(builder.maxConnections, builder.beamWidth,
                            builder.mergeThreads, 7, false, null, mergePool)
                    : new TrellisHnswVectorsFormat(builder.maxConnections, builder.beamWidth, builder.mergeThreads, mergePool);
            IndexWriterConfig config = new IndexWriterConfig(analyzer)
                    .setCodec(new VectorCodec(format))
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(builder.ramBufferMb)
                    .setCommitOnClose(true);
            try {
                w = new IndexWriter(dir, config);
            } catch (LockObtainFailedException e) {
                throw new StoreLockedException(path, e);
            }
            w.setLiveCommitData(Map.of(DIMENSION_KEY, Integer.toString(dimension), LAYOUT_KEY, LAYOUT).entrySet());
            if (existingDimension == null) {
                w.commit(); // an empty but valid index, so a reopen knows its dimension
            }
            this.directory = dir;
            this.writer = w;
            this.searchers = new SearcherManager(w, null);
        } catch (IOException | RuntimeException e) {
            IOUtils.closeWhileHandlingException(w, dir);
            shutdownPools();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the Lucene embedding store at " + path + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        log.info("Opened Lucene embedding store at {} ({} documents, dimension {}, {}, {})", path, writer.getDocStats().numDocs,
                dimension, quantized ? "int8-quantized HNSW" : "float HNSW", commitPolicy);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- adding

    @Override
    public String add(Embedding embedding) {
        String id = generateIds(1).get(0);
        write(List.of(id), List.of(embedding), null, false);
        return id;
    }

    @Override
    public void add(String id, Embedding embedding) {
        write(List.of(id), List.of(embedding), null, true);
    }

    @Override
    public String add(Embedding embedding, TextSegment textSegment) {
        String id = generateIds(1).get(0);
        write(List.of(id), List.of(embedding), textSegment == null ? null : List.of(textSegment), false);
        return id;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings) {
        List<String> ids = generateIds(requireNonNull(embeddings, "embeddings").size());
        write(ids, embeddings, null, false);
        return ids;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings, List<TextSegment> embedded) {
        List<String> ids = generateIds(requireNonNull(embeddings, "embeddings").size());
        write(ids, embeddings, embedded, false);
        return ids;
    }

    /** Adds or replaces (by id) the given entries; {@code embedded} may be null for vectors without text. */
    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded) {
        write(requireNonNull(ids, "ids"), embeddings, embedded, true);
    }

    private void write(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded, boolean upsert) {
        requireNonNull(embeddings, "embeddings");
        if (ids.size() != embeddings.size() || (embedded != null && embedded.size() != embeddings.size())) {
            throw new IllegalArgumentException("addAll got " + ids.size() + " ids, " + embeddings.size() + " embeddings and "
                    + (embedded == null ? "no" : embedded.size()) + " segments; pass lists of the same length");
        }
        Set<String> seen = upsert ? new HashSet<>() : null;
        for (int i = 0; i < embeddings.size(); i++) {
            String id = ids.get(i);
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("id at position " + i + " is null or blank; give every entry a non-blank id");
            }
            if (seen != null && !seen.add(id)) {
                throw new IllegalArgumentException("id '" + id + "' appears twice in one addAll call; ids must be unique");
            }
            checkVector(embeddings.get(i), "embedding at position " + i + " (id '" + id + "')");
            if (embedded != null && embedded.get(i) != null) {
                MetadataFields.check(embedded.get(i).metadata(), "segment at position " + i + " (id '" + id + "')");
            }
        }
        // everything is validated before the first document is written, so a rejected call writes nothing
        writeLock.lock();
        try {
            ensureOpen();
            long interval = commitPolicy.documentInterval();
            int from = 0;
            while (from < embeddings.size()) {
                int to = (int) Math.min(embeddings.size(), from + (interval - uncommittedDocuments));
                index(ids, embeddings, embedded, from, to, upsert);
                uncommittedDocuments += to - from;
                stale = true;
                from = to;
                if (uncommittedDocuments >= interval) {
                    commitLocked();
                }
            }
            if (commitPolicy.commitsAfterEveryWrite()) {
                commitLocked();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("adding " + embeddings.size() + " embeddings to the Lucene store at " + path
                    + " failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Indexes entries [from, to), in batches spread over the indexing threads when there are many. */
    private void index(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded, int from, int to,
                       boolean upsert) throws IOException {
        if (indexingPool == null || to - from < 2 * INDEXING_BATCH) {
            indexBatch(ids, embeddings, embedded, from, to, upsert);
            return;
        }
        List<Callable<Void>> batches = new ArrayList<>();
        for (int start = from; start < to; start += INDEXING_BATCH) {
            int s = start;
            int e = Math.min(to, start + INDEXING_BATCH);
            batches.add(() -> {
                indexBatch(ids, embeddings, embedded, s, e, upsert);
                return null;
            });
        }
        try {
            for (Future<Void> done : indexingPool.invokeAll(batches)) {
                done.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding embeddings to the Lucene store at " + path, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("indexing into the Lucene store at " + path + " failed", e.getCause());
        }
    }

    private void indexBatch(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded, int from, int to,
                            boolean upsert) throws IOException {
        for (int i = from; i < to; i++) {
            Document doc = toDocument(ids.get(i), embeddings.get(i), embedded == null ? null : embedded.get(i));
            if (upsert) {
                writer.updateDocument(new Term(ID, ids.get(i)), doc);
            } else {
                writer.addDocument(doc);
            }
        }
    }

    private Document toDocument(String id, Embedding embedding, TextSegment segment) {
        float[] vector = embedding.vector();
        Document doc = new Document();
        doc.add(new StringField(ID, id, Field.Store.YES));
        doc.add(new KnnFloatVectorField(VECTOR, unit(vector), VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new BinaryDocValuesField(RAW_VECTOR, new BytesRef(toBytes(vector))));
        doc.add(new BinaryDocValuesField(ID_VALUE, new BytesRef(id)));
        if (segment != null) {
            doc.add(new TextField(TEXT, segment.text(), Field.Store.YES));
            MetadataFields.addTo(doc, segment.metadata());
        }
        return doc;
    }

    // ---------------------------------------------------------------- removing

    @Override
    public void removeAll(Collection<String> ids) {
        if (requireNonNull(ids, "ids").isEmpty()) {
            throw new IllegalArgumentException("removeAll(ids) got an empty collection; pass at least one id");
        }
        Term[] terms = ids.stream().map(id -> new Term(ID, requireNonNull(id, "id in ids"))).toArray(Term[]::new);
        delete("removing " + ids.size() + " ids", () -> writer.deleteDocuments(terms));
    }

    @Override
    public void removeAll(Filter filter) {
        Query query = FilterQueries.toQuery(requireNonNull(filter, "filter"));
        delete("removing matches of " + filter, () -> writer.deleteDocuments(query));
    }

    @Override
    public void removeAll() {
        delete("removing everything", writer::deleteAll);
    }

    private interface IndexChange {
        void apply() throws IOException;
    }

    private void delete(String what, IndexChange change) {
        writeLock.lock();
        try {
            ensureOpen();
            change.apply();
            stale = true;
            if (!commitPolicy.isManual()) {
                commitLocked();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " from the Lucene store at " + path + " failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- durability

    /** Makes every write so far durable (fsync + atomic publish of a new commit point). */
    public void commit() {
        writeLock.lock();
        try {
            ensureOpen();
            commitLocked();
        } catch (IOException e) {
            throw new UncheckedIOException("committing the Lucene store at " + path + " failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    private void commitLocked() throws IOException {
        writer.commit();
        uncommittedDocuments = 0;
    }

    /**
     * Merges the index down to at most {@code maxSegments} segments and commits. One segment gives the
     * fastest searches; call it after a bulk load, not after every small change.
     */
    public void forceMerge(int maxSegments) {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("forceMerge(" + maxSegments + "): maxSegments must be at least 1");
        }
        writeLock.lock();
        try {
            ensureOpen();
            writer.forceMerge(maxSegments);
            commitLocked();
            stale = true;
        } catch (IOException e) {
            throw new UncheckedIOException("merging the Lucene store at " + path + " failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Number of entries visible to searches (after the latest write). */
    public int size() {
        return withSearcher(searcher -> searcher.getIndexReader().numDocs());
    }

    // ---------------------------------------------------------------- searching

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        requireNonNull(request, "request");
        float[] query = unit(checkVector(request.queryEmbedding(), "query embedding").vector());
        int maxResults = request.maxResults();
        int candidates = candidates(maxResults);
        Query filter = request.filter() == null ? null : FilterQueries.toQuery(request.filter());
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, query, candidates, filter), candidates);
            // Float graphs already score candidates by the exact dot product of unit vectors, so only the
            // kept results need their original vectors; int8 graphs score approximately, so every
            // candidate is rescored against the float vectors before choosing.
            ScoreDoc[] hits = quantized ? top.scoreDocs
                    : Arrays.copyOf(top.scoreDocs, Math.min(maxResults, top.scoreDocs.length));
            List<Candidate> rescored = rescore(searcher, hits, query);
            List<Candidate> kept = new ArrayList<>(maxResults);
            for (Candidate c : rescored) {
                if (kept.size() == maxResults || c.score < request.minScore()) {
                    break;
                }
                kept.add(c);
            }
            List<EmbeddingMatch<TextSegment>> matches = matches(searcher, kept);
            return new EmbeddingSearchResult<>(matches);
        });
    }

    /** How many graph candidates a search for {@code maxResults} results examines: {@code max(minCandidates, oversampleFactor * maxResults)}. */
    public int candidates(int maxResults) {
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(minCandidates, (long) oversampleFactor * maxResults));
    }

    /**
     * BM25 keyword search over the segment texts (analysed with the store's analyzer), optionally
     * restricted by a metadata filter. Scores are BM25 scores, not relevance scores in [0, 1].
     * Returns an empty list when the query has no searchable terms.
     */
    public List<EmbeddingMatch<TextSegment>> keywordSearch(String query, int maxResults, Filter filter) {
        requireNonNull(query, "query");
        if (maxResults < 1) {
            throw new IllegalArgumentException("keywordSearch maxResults is " + maxResults + "; it must be at least 1");
        }
        Query text = new QueryBuilder(analyzer).createBooleanQuery(TEXT, query);
        if (text == null) {
            return List.of();
        }
        Query full = filter == null ? text : new BooleanQuery.Builder()
                .add(text, Occur.MUST).add(FilterQueries.toQuery(filter), Occur.FILTER).build();
        return withSearcher(searcher -> {
            TopDocs top = searcher.search(full, maxResults);
            int[] docs = Arrays.stream(top.scoreDocs).mapToInt(hit -> hit.doc).toArray();
            float[][] raws = rawVectors(searcher, docs);
            List<Candidate> hits = new ArrayList<>(docs.length);
            for (int i = 0; i < docs.length; i++) {
                hits.add(new Candidate(docs[i], top.scoreDocs[i].score, raws[i]));
            }
            return matches(searcher, hits);
        });
    }

    private record Candidate(int doc, double score, float[] raw) {
    }

    /** Exact cosine of each candidate against the original vector, best first. */
    private List<Candidate> rescore(IndexSearcher searcher, ScoreDoc[] hits, float[] unitQuery) throws IOException {
        int[] docs = new int[hits.length];
        for (int i = 0; i < hits.length; i++) {
            docs[i] = hits[i].doc;
        }
        float[][] raws = rawVectors(searcher, docs);
        List<Candidate> rescored = new ArrayList<>(hits.length);
        for (int i = 0; i < hits.length; i++) {
            float[] raw = raws[i];
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < raw.length; j++) {
                dot += raw[j] * (double) unitQuery[j];
                norm += raw[j] * (double) raw[j];
            }
            double cosine = Math.max(-1, Math.min(1, dot / Math.sqrt(norm)));
            rescored.add(new Candidate(docs[i], RelevanceScore.fromCosineSimilarity(cosine), raw));
        }
        rescored.sort(Comparator.comparingDouble(Candidate::score).reversed());
        return rescored;
    }

    /** The original vectors of {@code docs}. */
    private float[][] rawVectors(IndexSearcher searcher, int[] docs) throws IOException {
        BytesRef[] values = binaryValues(searcher, docs, RAW_VECTOR);
        float[][] vectors = new float[docs.length][];
        for (int i = 0; i < docs.length; i++) {
            if (values[i] == null) {
                throw new IllegalStateException("document " + docs[i] + " in the Lucene store at " + path
                        + " has no stored vector; the index was not written by LuceneEmbeddingStore");
            }
            vectors[i] = toFloats(values[i]);
        }
        return vectors;
    }

    /**
     * A binary doc-values field of {@code docs} (null where a document lacks it), read leaf by leaf
     * in doc order because doc values iterate forward. The returned refs are copies.
     */
    private static BytesRef[] binaryValues(IndexSearcher searcher, int[] docs, String field) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        Integer[] order = new Integer[docs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> docs[i]));
        BytesRef[] result = new BytesRef[docs.length];
        BinaryDocValues values = null;
        int leafIndex = -1;
        for (int i : order) {
            int leaf = ReaderUtil.subIndex(docs[i], leaves);
            LeafReaderContext context = leaves.get(leaf);
            if (leaf != leafIndex) {
                values = context.reader().getBinaryDocValues(field);
                leafIndex = leaf;
            }
            if (values != null && values.advanceExact(docs[i] - context.docBase)) {
                result[i] = BytesRef.deepCopyOf(values.binaryValue());
            }
        }
        return result;
    }

    /**
     * The matches for {@code hits}, in their order. Ids come from doc values; the stored fields (text
     * and metadata) are only decompressed for documents in a segment that holds text at all, so a
     * pure vector index answers without touching them. Indexes written before the id doc values
     * existed fall back to the stored id.
     */
    private static List<EmbeddingMatch<TextSegment>> matches(IndexSearcher searcher, List<Candidate> hits) throws IOException {
        int[] docs = hits.stream().mapToInt(Candidate::doc).toArray();
        BytesRef[] ids = binaryValues(searcher, docs, ID_VALUE);
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        StoredFields stored = null;
        List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(hits.size());
        for (int i = 0; i < docs.length; i++) {
            Candidate hit = hits.get(i);
            LeafReader leaf = leaves.get(ReaderUtil.subIndex(hit.doc, leaves)).reader();
            String id = ids[i] == null ? null : ids[i].utf8ToString();
            TextSegment segment = null;
            if (id == null || leaf.getFieldInfos().fieldInfo(TEXT) != null) {
                stored = stored == null ? searcher.storedFields() : stored;
                Document document = stored.document(hit.doc);
                id = document.get(ID);
                String text = document.get(TEXT);
                segment = text == null ? null : TextSegment.from(text, MetadataFields.readFrom(document));
            }
            matches.add(new EmbeddingMatch<>(hit.score, id, Embedding.from(hit.raw), segment));
        }
        return matches;
    }

    private interface SearcherWork<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private <T> T withSearcher(SearcherWork<T> work) {
        ensureOpen();
        try {
            if (stale) {
                stale = false; // a write finishing after this line sets it again
                searchers.maybeRefreshBlocking();
            }
            IndexSearcher searcher = searchers.acquire();
            try {
                return work.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        } catch (AlreadyClosedException e) {
            throw new IllegalStateException("the Lucene embedding store at " + path + " is closed", e);
        } catch (IOException e) {
            throw new UncheckedIOException("searching the Lucene store at " + path + " failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Commits pending writes and releases the index lock, files and threads. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOUtils.close(searchers, writer, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("closing the Lucene store at " + path + " failed: " + e.getMessage(), e);
        } finally {
            shutdownPools();
            writeLock.unlock();
        }
    }

    /** The index directory. */
    public Path directory() {
        return path;
    }

    /** The vector dimension every embedding must have. */
    public int dimension() {
        return dimension;
    }

    private void shutdownPools() {
        if (indexingPool != null) {
            indexingPool.shutdownNow();
        }
        if (mergePool != null) {
            mergePool.shutdownNow();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the Lucene embedding store at " + path + " is closed; open a new one with"
                    + " LuceneEmbeddingStore.builder().directory(...).build()");
        }
    }

    // ---------------------------------------------------------------- helpers

    private Embedding checkVector(Embedding embedding, String what) {
        requireNonNull(embedding, what);
        if (embedding.dimension() != dimension) {
            throw new IllegalArgumentException(what + " has dimension " + embedding.dimension() + " but the store at "
                    + path + " holds dimension " + dimension + "; embed with the model the store was built with");
        }
        return embedding;
    }

    static float[] unit(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * (double) v;
        }
        if (norm == 0 || !Double.isFinite(norm)) {
            throw new IllegalArgumentException("embedding " + (norm == 0 ? "is all zeros" : "contains NaN or infinite values")
                    + " and has no cosine similarity; check the embedding model's output");
        }
        double inverse = 1 / Math.sqrt(norm);
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] * inverse);
        }
        return unit;
    }

    private static byte[] toBytes(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return buffer.array();
    }

    private static float[] toFloats(BytesRef bytes) {
        float[] vector = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    private static Integer storedDimension(Directory dir) throws IOException {
        String value = SegmentInfos.readLatestCommit(dir).getUserData().get(DIMENSION_KEY);
        return value == null ? null : Integer.valueOf(value);
    }

    private int resolveDimension(Integer requested, Integer existing) {
        if (existing == null && requested == null) {
            throw new IllegalArgumentException("the Lucene store at " + path + " is new (or was not written by Trellis),"
                    + " so its dimension is unknown; set builder().dimension(...) to the embedding model's dimension");
        }
        if (existing != null && requested != null && !existing.equals(requested)) {
            throw new IllegalArgumentException("the Lucene store at " + path + " holds " + existing + "-dimensional vectors"
                    + " but dimension(" + requested + ") was requested; use the same embedding model or a new directory");
        }
        return existing != null ? existing : requested;
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null; pass a value");
        }
        return value;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Configures a {@link LuceneEmbeddingStore}; only {@link #directory(Path)} (and, for a new index, {@link #dimension(int)}) are required. */
    public static final class Builder {

        private Path directory;
        private Integer dimension;
        private boolean quantized;
        // Measured with `trellis bench store` on 100k clustered 384-d vectors. M=16, beam 100: 50 graph
        // candidates gave recall@10 0.948, 100 gave 0.985, 150 gave 0.998 (p50 0.44-0.48 ms). Beam 200
        // (ingestion 50 s instead of 38 s): 80 gave 0.991, 100 gave 0.996 (p50 0.41 ms), 150 gave 0.999.
        private int oversampleFactor = 10;
        private int minCandidates = 60;
        private double ramBufferMb = 256;
        private CommitPolicy commitPolicy = CommitPolicy.afterEveryWrite();
        // One indexing thread builds one HNSW graph; two threads build two and then merge them, which
        // measured 1.7x the CPU at 100k vectors: only worth it with idle cores to spare.
        private int indexingThreads = 1;
        private int mergeThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private int maxConnections = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
        private int beamWidth = 200;
        private Analyzer analyzer;

        private Builder() {
        }

        /** The index directory; created if missing, reopened if it holds a store. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Vector dimension (384 for all-MiniLM-L6-v2); optional when reopening an existing store. */
        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        /**
         * Store the HNSW graph's vectors as int8 (Lucene's 7-bit scalar quantization). Candidates are
         * always rescored against the float vectors, so rankings stay exact among the candidates;
         * raise {@link #oversampleFactor(int)} if recall drops. Keep the setting when reopening: segments
         * written quantized stay quantized until merged, and only a quantized store rescores them.
         */
        public Builder quantized(boolean quantized) {
            this.quantized = quantized;
            return this;
        }

        /** Candidates fetched from the graph per requested result (default 10: recall@10 ~0.996 at 100k vectors). */
        public Builder oversampleFactor(int oversampleFactor) {
            this.oversampleFactor = oversampleFactor;
            return this;
        }

        /** Least candidates fetched from the graph whatever maxResults is (default 60). */
        public Builder minCandidates(int minCandidates) {
            this.minCandidates = minCandidates;
            return this;
        }

        /** Indexing RAM buffer in MB (default 256); a buffer that holds the whole load avoids merges. */
        public Builder ramBufferMb(double ramBufferMb) {
            this.ramBufferMb = ramBufferMb;
            return this;
        }

        /** When writes become durable (default {@link CommitPolicy#afterEveryWrite()}). */
        public Builder commitPolicy(CommitPolicy commitPolicy) {
            this.commitPolicy = commitPolicy;
            return this;
        }

        /**
         * Threads a large addAll is spread over (default 1). More threads shorten the adds on idle cores but
         * write one segment each, whose graphs a later merge combines at extra CPU cost.
         */
        public Builder indexingThreads(int indexingThreads) {
            this.indexingThreads = indexingThreads;
            return this;
        }

        /** Threads that build the HNSW graph during segment merges (default min(2, cores)). */
        public Builder mergeThreads(int mergeThreads) {
            this.mergeThreads = mergeThreads;
            return this;
        }

        /** HNSW neighbours per node, Lucene's M (default 16). */
        public Builder hnswMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * HNSW candidate list size while building, Lucene's beamWidth / efConstruction (default 200,
         * twice Lucene's: a better graph needs fewer candidates per search).
         */
        public Builder hnswBeamWidth(int beamWidth) {
            this.beamWidth = beamWidth;
            return this;
        }

        /** Analyzer for the text field's BM25 index (default {@link EnglishAnalyzer}); keep it across reopens. */
        public Builder analyzer(Analyzer analyzer) {
            this.analyzer = analyzer;
            return this;
        }

        public LuceneEmbeddingStore build() {
            if (directory == null) {
                throw new IllegalArgumentException("LuceneEmbeddingStore needs directory(path): where the index lives on disk");
            }
            if (dimension != null && dimension < 1) {
                throw new IllegalArgumentException("dimension(" + dimension + ") must be positive");
            }
            positive("oversampleFactor", oversampleFactor);
            positive("minCandidates", minCandidates);
            positive("indexingThreads", indexingThreads);
            positive("mergeThreads", mergeThreads);
            positive("hnswMaxConnections", maxConnections);
            positive("hnswBeamWidth", beamWidth);
            if (!(ramBufferMb > 0)) {
                throw new IllegalArgumentException("ramBufferMb(" + ramBufferMb + ") must be positive");
            }
            if (commitPolicy == null) {
                throw new IllegalArgumentException("commitPolicy is null; use CommitPolicy.afterEveryWrite(), everyDocuments(n) or manual()");
            }
            return new LuceneEmbeddingStore(this);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + "(" + value + ") must be at least 1");
            }
        }
    }
}
