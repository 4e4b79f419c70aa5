package dev.trellis.retrieval.qa;

import java.util.Objects;

/**
 * One answer of the map-rerank chain: the answer text and the score (0 to 100) the model gave it.
 */
public record ScoredAnswer(String answer, double score) {

    public ScoredAnswer {
        Objects.requireNonNull(answer, "answer");
        if (!(score >= 0 && score <= 100)) {
            throw new IllegalArgumentException("score " + score + " is outside 0..100");
        }
    }
}
