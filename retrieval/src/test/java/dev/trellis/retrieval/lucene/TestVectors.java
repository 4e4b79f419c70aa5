package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.embedding.Embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded clustered vectors for the store tests, and exact top-k for recall. */
final class TestVectors {

    private TestVectors() {
    }

    static List<Embedding> clustered(int count, int dimension, int clusters, long seed) {
        Random random = new Random(seed);
        float[][] centres = new float[clusters][dimension];
        for (float[] centre : centres) {
            for (int d = 0; d < dimension; d++) {
                centre[d] = (float) random.nextGaussian();
            }
        }
        List<Embedding> vectors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] centre = centres[random.nextInt(clusters)];
            float[] v = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                v[d] = centre[d] + 0.6f * (float) random.nextGaussian();
            }
            vectors.add(Embedding.from(v));
        }
        return vectors;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * (double) b[i];
            na += a[i] * (double) a[i];
            nb += b[i] * (double) b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Indexes (into {@code data}) of the k most cosine-similar vectors to {@code query}. */
    static List<Integer> exactTopK(List<Embedding> data, Embedding query, int k) {
        List<Integer> order = new ArrayList<>();
        double[] scores = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            scores[i] = cosine(data.get(i).vector(), query.vector());
            order.add(i);
        }
        order.sort((x, y) -> Double.compare(scores[y], scores[x]));
        return order.subList(0, k);
    }
}
