package dev.trellis.retrieval.lucene;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.TaskExecutor;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * Lucene 9.9's HNSW vector files, byte for byte, scored by {@link FastFlatVectorsScorer}: SIMD dot
 * products on Java 17, where Lucene's own format stays scalar. Graph building (indexing, merging)
 * and searching both use it.
 *
 * <p>Segments record this format's name, so Lucene finds it again through the service loader
 * ({@code META-INF/services}) when the index is reopened; a reader without Trellis on its class
 * path cannot open them.
 */
public final class TrellisHnswVectorsFormat extends KnnVectorsFormat {

    static {
        DotProduct.best(); // before Lucene's vectorization provider initialises, so its warning stays quiet
    }

    /** The name segments record. */
    public static final String NAME = "TrellisHnswVectorsFormat";

    private final int maxConnections;
    private final int beamWidth;
    private final int mergeWorkers;
    private final TaskExecutor mergeExecutor;
    private final FlatVectorsFormat flatFormat = new Lucene99FlatVectorsFormat(FastFlatVectorsScorer.best());

    /** For reading (the service loader): the graph parameters only matter when writing. */
    public TrellisHnswVectorsFormat() {
        this(Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN, Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH, 1, null);
    }

    /**
     * @param maxConnections HNSW M, neighbours per node
     * @param beamWidth      candidates kept while linking a node
     * @param mergeWorkers   threads merging a graph (1: the merging thread alone)
     * @param mergePool      the pool for {@code mergeWorkers > 1}, else null
     */
    public TrellisHnswVectorsFormat(int maxConnections, int beamWidth, int mergeWorkers, ExecutorService mergePool) {
        super(NAME);
        // Lucene's format checks the same limits with its own messages
        new Lucene99HnswVectorsFormat(maxConnections, beamWidth, mergeWorkers, mergePool);
        this.maxConnections = maxConnections;
        this.beamWidth = beamWidth;
        this.mergeWorkers = mergeWorkers;
        this.mergeExecutor = mergePool == null ? null : new TaskExecutor(mergePool);
    }

    /** Which scorer this JVM uses, for benchmark reports: Trellis's SIMD kernel, or Lucene's own. */
    public static String scorerDescription() {
        return FastFlatVectorsScorer.best().toString();
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return new Lucene99HnswVectorsWriter(state, maxConnections, beamWidth, flatFormat.fieldsWriter(state), mergeWorkers,
                mergeExecutor);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new Lucene99HnswVectorsReader(state, flatFormat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return DEFAULT_MAX_DIMENSIONS;
    }

    @Override
    public String toString() {
        return NAME + "(maxConnections=" + maxConnections + ", beamWidth=" + beamWidth + ", scorer=" + flatFormat + ")";
    }
}
