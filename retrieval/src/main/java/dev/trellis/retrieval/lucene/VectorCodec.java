package dev.trellis.retrieval.lucene;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;

/**
 * Lucene's default codec with our choice of vector format (plain or scalar-quantized HNSW, our graph
 * parameters). The per-field format name is recorded in each segment, so a store opened later with
 * different settings, or an index written by an older Trellis, reads its segments back.
 */
final class VectorCodec extends Lucene912Codec {

    private final KnnVectorsFormat vectorsFormat;

    VectorCodec(KnnVectorsFormat vectorsFormat) {
        this.vectorsFormat = vectorsFormat;
    }

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return vectorsFormat;
    }
}
