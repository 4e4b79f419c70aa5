package dev.trellis.retrieval.lucene;

import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

import java.io.IOException;

/**
 * Scores float vectors under {@link VectorSimilarityFunction#DOT_PRODUCT} (the store's unit
 * vectors) with {@link DotProduct#best()}, the same score as Lucene's ({@code max((1 + dot) / 2, 0)}).
 * Every other case, and every JVM where Lucene already vectorizes (Java 21+ with the incubator
 * module), goes to Lucene's own scorer.
 */
final class FastFlatVectorsScorer implements FlatVectorsScorer {

    private final FlatVectorsScorer lucene = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
    private final DotProduct dot;

    FastFlatVectorsScorer(DotProduct dot) {
        this.dot = dot;
    }

    /** The fastest scorer this JVM has: Lucene's when it runs SIMD itself, else ours when the incubator module is there. */
    static FlatVectorsScorer best() {
        FlatVectorsScorer lucene = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
        DotProduct best = DotProduct.best();
        return lucene != DefaultFlatVectorScorer.INSTANCE || best == DotProduct.LUCENE ? lucene : new FastFlatVectorsScorer(best);
    }

    @Override
    public RandomVectorScorerSupplier getRandomVectorScorerSupplier(VectorSimilarityFunction similarity,
                                                                     RandomAccessVectorValues values) throws IOException {
        if (similarity == VectorSimilarityFunction.DOT_PRODUCT && values instanceof RandomAccessVectorValues.Floats floats) {
            return new Supplier(floats);
        }
        return lucene.getRandomVectorScorerSupplier(similarity, values);
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity, RandomAccessVectorValues values,
                                                    float[] target) throws IOException {
        if (similarity == VectorSimilarityFunction.DOT_PRODUCT && values instanceof RandomAccessVectorValues.Floats floats) {
            if (target.length != floats.dimension()) {
                throw new IllegalArgumentException("vector query dimension: " + target.length
                        + " differs from field dimension: " + floats.dimension());
            }
            return new Scorer(floats, target);
        }
        return lucene.getRandomVectorScorer(similarity, values, target);
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity, RandomAccessVectorValues values,
                                                    byte[] target) throws IOException {
        return lucene.getRandomVectorScorer(similarity, values, target);
    }

    @Override
    public String toString() {
        return "FastFlatVectorsScorer(" + dot + ")";
    }

    private static float score(float dot) {
        return Math.max((1 + dot) / 2, 0);
    }

    /** One target against the stored vectors: a query, or a node being linked into the graph. */
    private final class Scorer extends RandomVectorScorer.AbstractRandomVectorScorer {
        private final RandomAccessVectorValues.Floats values;
        private final float[] target;

        Scorer(RandomAccessVectorValues.Floats values, float[] target) {
            super(values);
            this.values = values;
            this.target = target;
        }

        @Override
        public float score(int node) throws IOException {
            return FastFlatVectorsScorer.score(dot.dot(target, values.vectorValue(node)));
        }
    }

    /** Scorers for graph building: each copies its target, because reading another vector reuses the values' buffer. */
    private final class Supplier implements RandomVectorScorerSupplier {
        private final RandomAccessVectorValues.Floats targets;
        private final RandomAccessVectorValues.Floats values;

        Supplier(RandomAccessVectorValues.Floats values) throws IOException {
            this.targets = values.copy();
            this.values = values.copy();
        }

        @Override
        public RandomVectorScorer scorer(int ord) throws IOException {
            return new Scorer(values, targets.vectorValue(ord).clone());
        }

        @Override
        public RandomVectorScorerSupplier copy() throws IOException {
            return new Supplier(values);
        }
    }
}
