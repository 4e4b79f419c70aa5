package dev.trellis.finetune.eval;

import java.util.List;

/**
 * The error-analysis verdict on one prediction (see {@link ErrorAnalyzer} for the rules).
 *
 * @param misspelled prediction words judged misspellings, in order of appearance
 * @param tooLong whether the prediction is too long for its reference
 * @param repeatedNgram the n-gram that repeats too often, or empty when the prediction is not repetitive
 */
public record ErrorFlags(List<String> misspelled, boolean tooLong, String repeatedNgram) {

    public ErrorFlags {
        misspelled = List.copyOf(misspelled);
        repeatedNgram = repeatedNgram == null ? "" : repeatedNgram;
    }

    public boolean misspelling() {
        return !misspelled.isEmpty();
    }

    public boolean repetitive() {
        return !repeatedNgram.isEmpty();
    }
}
