package dev.trellis.retrieval.embeddings;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.trellis.retrieval.SampleCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class EmbeddingSegmenterTest {

    private static EmbeddingSegmenter segmenter;

    @BeforeAll
    static void load() {
        segmenter = EmbeddingSegmenter.create();
    }

    @AfterAll
    static void close() {
        segmenter.close();
    }

    /** A long document with paragraphs, sentences, rare words, digits, unicode and one 600-character "word". */
    private static String longText() {
        Random random = new Random(3);
        String[] words = {"waterproof", "breathable", "ripstop", "UPF", "50+", "pockets", "Fjällräven-like",
                "über-light", "merino", "hydrophobic", "seam-sealed", "élan", "12.5", "cm", "zipper", "jacket"};
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < 12; p++) {
            for (int s = 0; s < 6; s++) {
                int n = 5 + random.nextInt(20);
                for (int w = 0; w < n; w++) {
                    text.append(words[random.nextInt(words.length)]).append(w + 1 < n ? " " : ". ");
                }
            }
            text.append("\n\n");
        }
        StringBuilder blob = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            blob.append((char) ('a' + random.nextInt(26)));
        }
        text.append(blob).append(" tail words after the blob.");
        return text.toString();
    }

    private static String normalize(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }

    @Test
    void everySegmentFitsTheModelAndNoTextIsLost() {
        String text = longText();
        assertThat(segmenter.countModelInputTokens(text)).isGreaterThan(1000);
        List<TextSegment> segments = segmenter.split(Document.from(text, Metadata.from("source", "long.txt")));
        assertThat(segments.size()).isGreaterThan(8);
        for (TextSegment segment : segments) {
            assertThat(segmenter.countModelInputTokens(segment.text())).isLessThanOrEqualTo(128);
            assertThat(segment.metadata().getString("source")).isEqualTo("long.txt");
        }
        String joined = segments.stream().map(TextSegment::text).collect(Collectors.joining(" "));
        assertThat(normalize(joined).replace(" ", "")).isEqualTo(normalize(text).replace(" ", ""));
        assertThat(normalize(joined)).startsWith(normalize(text).substring(0, 200));
        assertThat(segments).extracting(s -> s.metadata().getString("index"))
                .containsExactly(java.util.stream.IntStream.range(0, segments.size()).mapToObj(String::valueOf)
                        .toArray(String[]::new));
    }

    @Test
    void shortDocumentsStayWhole() {
        List<TextSegment> segments = segmenter.split(Document.from("Sun hat, UPF 50+."));
        assertThat(segments).singleElement().extracting(TextSegment::text).isEqualTo("Sun hat, UPF 50+.");
    }

    @Test
    void catalogueRowsAllFitAfterSegmentation() {
        List<Document> docs = SampleCatalog.documents();
        List<TextSegment> segments = segmenter.splitAll(docs);
        assertThat(segments.size()).isGreaterThanOrEqualTo(docs.size());
        for (TextSegment segment : segments) {
            assertThat(segmenter.countModelInputTokens(segment.text())).isLessThanOrEqualTo(128);
        }
    }

    @Test
    void smallerBudgetsAndOverlapAreHonouredAndBadOptionsRejected() {
        try (EmbeddingSegmenter small = EmbeddingSegmenter.builder().maxTokens(32).overlapTokens(4).build()) {
            for (TextSegment segment : small.split(Document.from(longText()))) {
                assertThat(small.countModelInputTokens(segment.text())).isLessThanOrEqualTo(32);
            }
        }
        assertThatThrownBy(() -> EmbeddingSegmenter.builder().maxTokens(129).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128");
        assertThatThrownBy(() -> EmbeddingSegmenter.builder().maxTokens(32).overlapTokens(16).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlapTokens");
    }

    @Test
    void aHugeCellSplitsInLinearTime() {
        // one 1 MB paragraph of sentences with rare words, non-ASCII and emoji: the quadratic splitter took minutes
        Random random = new Random(11);
        String[] words = {"waterproof", "Fjällräven", "über-light", "😀", "漢字", "ripstop", "x7Qz", "merino", "UPF"};
        StringBuilder text = new StringBuilder();
        while (text.length() < 1_000_000) {
            int n = 3 + random.nextInt(30);
            for (int w = 0; w < n; w++) {
                text.append(words[random.nextInt(words.length)]).append(w + 1 < n ? " " : ". ");
            }
        }
        long start = System.nanoTime();
        List<TextSegment> segments = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> segmenter.split(Document.from(text.toString())));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(segments.size()).isGreaterThan(2500);
        assertThat(segments).allSatisfy(s -> assertThat(s.text()).isNotBlank());
        // segments are packed: on average well over half the budget
        long tokens = segments.stream().mapToLong(s -> segmenter.countModelInputTokens(s.text())).sum();
        assertThat(tokens / segments.size()).isGreaterThan(90);
        assertThat(segments).allSatisfy(s -> assertThat(segmenter.countModelInputTokens(s.text())).isLessThanOrEqualTo(128));
        String joined = segments.stream().map(TextSegment::text).collect(Collectors.joining(" "));
        assertThat(joined).isEqualTo(normalize(text.toString()));
        System.out.printf("split a %,d-character cell into %,d segments in %.1f s%n", text.length(), segments.size(), seconds);
    }

    @Test
    void wordsLongerThanTheBudgetAreCutBetweenTokens() {
        try (EmbeddingSegmenter tiny = EmbeddingSegmenter.builder().maxTokens(8).build()) {
            String text = "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis ok";
            List<TextSegment> segments = tiny.split(Document.from(text));
            assertThat(segments).allSatisfy(s -> assertThat(tiny.countModelInputTokens(s.text())).isLessThanOrEqualTo(8));
            assertThat(segments.stream().map(TextSegment::text).collect(Collectors.joining()).replace(" ", ""))
                    .isEqualTo(text.replace(" ", ""));
        }
    }
}
