package dev.trellis.retrieval.retrievers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each item scores {@code sum over lists of 1 / (k + rank)}
 * with 1-based ranks, so items ranked well by several retrievers rise, whatever the scales of
 * their original scores. {@code k = 60} is the customary default.
 */
public final class ReciprocalRankFusion {

    /** One fused item: its key, fused score, and the first occurrence of the item in the input lists. */
    public record Fused<T>(String key, double score, T item) {
    }

    private ReciprocalRankFusion() {
    }

    /** Fuses ranked lists; items with the same key are the same item. Best first, ties in first-seen order. */
    public static <T> List<Fused<T>> fuse(List<List<T>> rankings, Function<T, String> key, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("reciprocal rank fusion k is " + k + "; it must be at least 1 (60 is customary)");
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        Map<String, T> items = new LinkedHashMap<>();
        for (List<T> ranking : rankings) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                T item = ranking.get(rank);
                String id = key.apply(item);
                items.putIfAbsent(id, item);
                scores.computeIfAbsent(id, ignored -> new double[1])[0] += 1.0 / (k + rank + 1);
            }
        }
        List<Fused<T>> fused = new ArrayList<>(scores.size());
        scores.forEach((id, score) -> fused.add(new Fused<>(id, score[0], items.get(id))));
        fused.sort(Comparator.comparingDouble((Fused<T> f) -> f.score()).reversed());
        return fused;
    }
}
