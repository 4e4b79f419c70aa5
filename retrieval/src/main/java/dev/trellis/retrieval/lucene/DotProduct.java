package dev.trellis.retrieval.lucene;

import org.apache.lucene.util.VectorUtil;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dot product of two float vectors of equal length: the one operation an HNSW graph over unit
 * vectors spends its time in. {@link #best()} picks the fastest kernel this JVM can run.
 */
interface DotProduct {

    float dot(float[] a, float[] b);

    /**
     * SIMD through {@code jdk.incubator.vector} when the JVM was started with
     * {@code --add-modules jdk.incubator.vector}; otherwise Lucene's scalar code. (Lucene's own SIMD
     * code needs Java 21; the incubator API this uses is already in Java 17.)
     */
    static DotProduct best() {
        return Holder.BEST;
    }

    /** Lucene's implementation, whatever it uses on this JVM. */
    DotProduct LUCENE = new DotProduct() {
        @Override
        public float dot(float[] a, float[] b) {
            return VectorUtil.dotProduct(a, b);
        }

        @Override
        public String toString() {
            return "Lucene's dot product";
        }
    };

    final class Holder {
        /**
         * Lucene 9.12 logs "Java vector incubator module was enabled by command line flags, but your
         * Java version is too old" when it meets the module on Java 17-19, although Trellis uses it;
         * hold its logger quiet (a strong reference, or the setting is collected with the logger).
         */
        private static final Logger LUCENE_VECTORIZATION_LOG = Logger.getLogger(
                "org.apache.lucene.internal.vectorization.VectorizationProvider");
        private static final DotProduct BEST = load();

        private Holder() {
        }

        private static DotProduct load() {
            if (Runtime.version().feature() < 20) {
                LUCENE_VECTORIZATION_LOG.setLevel(Level.SEVERE);
            }
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return LUCENE;
            }
            try {
                // loaded by name: the class links against the incubator module, absent without the flag
                return (DotProduct) Class.forName("dev.trellis.retrieval.lucene.SimdDotProduct")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return LUCENE;
            }
        }
    }
}
