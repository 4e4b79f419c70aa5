package dev.trellis.framework.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 150 random text pairs (multi-line, punctuation, numbers, entities, inflected words) with the
 * values Python gives for them: ROUGE-1/2/L/Lsum with and without stemming, the 13a tokenization,
 * and sentence BLEU with its statistics. They were computed by a line-by-line Python
 * transcription of rouge-score's {@code rouge_scorer}/{@code tokenize} and sacreBLEU 2.x's
 * {@code BLEU}/{@code tokenizer_13a}, stemming with the real nltk 3.8 PorterStemmer (the two
 * packages themselves could not be installed here). They guard the edge cases the hand-worked
 * pins do not reach: empty sentences, ties in the LCS read-back, clipping across references.
 */
class MetricsReferenceCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void matchesThePythonReferenceValues() throws IOException {
        RougeScorer plain = RougeScorer.builder().build();
        RougeScorer stemmed = RougeScorer.builder().useStemmer(true).build();
        List<String> mismatches = new ArrayList<>();
        int cases = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("rouge-bleu-reference-cases.jsonl"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode c = JSON.readTree(line);
                cases++;
                compareRouge(mismatches, plain.score(c.get("t").asText(), c.get("p").asText()), c.get("r"), line);
                compareRouge(mismatches, stemmed.score(c.get("t").asText(), c.get("p").asText()), c.get("rs"), line);

                String hypothesis = c.get("h").asText();
                if (!Tokenizer13a.tokenize(hypothesis).equals(c.get("tok").asText())) {
                    mismatches.add("13a of " + hypothesis + ": " + Tokenizer13a.tokenize(hypothesis));
                }
                List<String> references = new ArrayList<>();
                c.get("refs").forEach(r -> references.add(r.asText()));
                BleuScore bleu = Bleu.sentenceBleu(hypothesis, references);
                JsonNode stats = c.get("stats"); // [sys_len, ref_len, correct x4, total x4]
                List<Integer> expected = new ArrayList<>();
                stats.forEach(s -> expected.add(s.asInt()));
                List<Integer> actual = new ArrayList<>(List.of(bleu.sysLen(), bleu.refLen()));
                actual.addAll(bleu.counts());
                actual.addAll(bleu.totals());
                if (!actual.equals(expected) || Math.abs(bleu.score() - c.get("sent").asDouble()) > 1e-9) {
                    mismatches.add("BLEU " + line + " -> " + actual + " " + bleu);
                }
            }
        }
        assertThat(cases).isEqualTo(150);
        assertThat(mismatches).isEmpty();
    }

    private static void compareRouge(List<String> mismatches, Map<String, RougeScore> actual, JsonNode expected, String line) {
        actual.forEach((type, score) -> {
            JsonNode e = expected.get(type);
            if (Math.abs(score.precision() - e.get(0).asDouble()) > 1e-12
                    || Math.abs(score.recall() - e.get(1).asDouble()) > 1e-12
                    || Math.abs(score.fmeasure() - e.get(2).asDouble()) > 1e-12) {
                mismatches.add(type + " " + line + " -> " + score);
            }
        });
    }
}
