package dev.trellis.samples.bench;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.EmbeddingSegmenter;
import dev.trellis.retrieval.embeddings.MiniLmModel;
import dev.trellis.retrieval.loaders.CsvLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * {@code trellis bench embeddings}: documents per second embedding the sample catalogue with langchain4j's
 * {@code AllMiniLmL6V2EmbeddingModel.embedAll} (baseline), Trellis' batched fp32 model and its int8-quantized
 * model: same segments, same run, plus each model's top-4 hit rate on generated questions.
 */
@Command(name = "embeddings", mixinStandardHelpOptions = true,
        description = "Embedding throughput on the catalogue: langchain4j vs Trellis batched fp32 vs int8, with hit rates.")
public final class EmbeddingsBench implements Runnable {

    @Option(names = "--catalog", description = "CSV file to embed (default: the bundled catalog.csv)")
    Path catalog;

    @Option(names = "--threads", description = "ONNX Runtime threads for Trellis' models (default: cores, at most 4)")
    int threads = Math.min(4, Runtime.getRuntime().availableProcessors());

    @Option(names = "--batch-size", description = "texts per ONNX run (default ${DEFAULT-VALUE})")
    int batchSize = 16;

    @Option(names = "--questions", description = "generated questions for the hit rate (default ${DEFAULT-VALUE})")
    int questionCount = 50;

    @Option(names = "--seed", description = "seed for question generation (default ${DEFAULT-VALUE})")
    long seed = 2024;

    private record Question(String text, int row) {
    }

    private record Result(String name, double seconds, double hitRate, List<Embedding> vectors) {
    }

    @Override
    public void run() {
        Path csv = catalog != null ? catalog : bundledCatalog();
        List<Document> documents = CsvLoader.builder().path(csv)
                .metadataColumns("category", "collection", "fabric", "color", "upf", "pockets").build().load();
        List<TextSegment> segments;
        long t0 = System.nanoTime();
        try (EmbeddingSegmenter segmenter = EmbeddingSegmenter.create()) {
            segments = segmenter.splitAll(documents);
        }
        double segmentSeconds = (System.nanoTime() - t0) / 1e9;
        List<Question> questions = questions(documents);
        System.out.printf(Locale.ROOT, "catalogue: %s, %d documents -> %d segments of <= 128 tokens (%.1f s), "
                        + "%d questions; %d cores, Trellis threads %d, batch %d%n", csv, documents.size(),
                segments.size(), segmentSeconds, questions.size(), Runtime.getRuntime().availableProcessors(),
                threads, batchSize);

        Result baseline = measure("langchain4j AllMiniLmL6V2EmbeddingModel.embedAll", new AllMiniLmL6V2EmbeddingModel(),
                segments, questions);
        Result fp32;
        try (BatchedEmbeddingModel model = BatchedEmbeddingModel.builder().threads(threads).batchSize(batchSize).build()) {
            fp32 = measure("Trellis BatchedEmbeddingModel fp32", model, segments, questions);
        }
        Result int8;
        try (BatchedEmbeddingModel model = BatchedEmbeddingModel.builder().model(MiniLmModel.ALL_MINILM_L6_V2_Q)
                .threads(threads).batchSize(batchSize).build()) {
            int8 = measure("Trellis BatchedEmbeddingModel int8", model, segments, questions);
        }
        double minCosine = 1;
        for (int i = 0; i < segments.size(); i++) {
            minCosine = Math.min(minCosine, CosineSimilarity.between(baseline.vectors().get(i), fp32.vectors().get(i)));
        }

        int docs = documents.size();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-50s %9s %10s %7s %11s%n", "model", "seconds", "docs/s", "ratio", "top-4 hits");
        for (Result r : List.of(baseline, fp32, int8)) {
            System.out.printf(Locale.ROOT, "%-50s %9.2f %10.1f %6.2fx %10.0f%%%n", r.name(), r.seconds(),
                    docs / r.seconds(), baseline.seconds() / r.seconds(), 100 * r.hitRate());
        }
        System.out.printf(Locale.ROOT, "min cosine, Trellis fp32 vs langchain4j, over %d segments: %.6f%n",
                segments.size(), minCosine);
        System.out.printf(Locale.ROOT, "{\"bench\":\"embeddings\",\"documents\":%d,\"segments\":%d,\"cores\":%d,"
                        + "\"threads\":%d,\"batch_size\":%d,\"baseline_docs_per_s\":%.1f,\"ours_docs_per_s\":%.1f,"
                        + "\"ratio\":%.3f,\"quantized_docs_per_s\":%.1f,\"quantized_ratio\":%.3f,"
                        + "\"hit_rate_baseline\":%.3f,\"hit_rate_fp32\":%.3f,\"hit_rate_quantized\":%.3f,"
                        + "\"min_cosine_fp32_vs_baseline\":%.6f}%n",
                docs, segments.size(), Runtime.getRuntime().availableProcessors(), threads, batchSize,
                docs / baseline.seconds(), docs / fp32.seconds(), baseline.seconds() / fp32.seconds(),
                docs / int8.seconds(), baseline.seconds() / int8.seconds(), baseline.hitRate(), fp32.hitRate(),
                int8.hitRate(), minCosine);
    }

    private Result measure(String name, EmbeddingModel model, List<TextSegment> segments, List<Question> questions) {
        model.embedAll(segments.subList(0, Math.min(64, segments.size()))); // warm-up: JIT, ONNX Runtime arenas
        long start = System.nanoTime();
        List<Embedding> vectors = model.embedAll(segments).content();
        double seconds = (System.nanoTime() - start) / 1e9;
        List<TextSegment> questionSegments = questions.stream().map(q -> TextSegment.from(q.text())).toList();
        List<Embedding> queries = model.embedAll(questionSegments).content();
        int hits = 0;
        for (int q = 0; q < questions.size(); q++) {
            if (topRows(queries.get(q), vectors, segments, 4).contains(questions.get(q).row())) {
                hits++;
            }
        }
        System.out.printf(Locale.ROOT, "  %-50s %.2f s%n", name, seconds);
        return new Result(name, seconds, (double) hits / questions.size(), vectors);
    }

    /** The first {@code k} distinct catalogue rows by cosine (a row may own several segments). */
    private static Set<Integer> topRows(Embedding query, List<Embedding> vectors, List<TextSegment> segments, int k) {
        Integer[] order = new Integer[vectors.size()];
        double[] scores = new double[vectors.size()];
        float[] q = query.vector();
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            float[] v = vectors.get(i).vector();
            double dot = 0;
            for (int j = 0; j < q.length; j++) {
                dot += q[j] * v[j]; // vectors are L2-normalised: dot = cosine
            }
            scores[i] = dot;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        Set<Integer> rows = new LinkedHashSet<>();
        for (int i = 0; i < order.length && rows.size() < k; i++) {
            rows.add(segments.get(order[i]).metadata().getInteger("row"));
        }
        return rows;
    }

    /** "Which sun hat from the Basalt collection comes in navy, with UPF 50+ sun protection and 1 pocket?" */
    private List<Question> questions(List<Document> documents) {
        Random random = new Random(seed);
        Set<Integer> used = new LinkedHashSet<>();
        List<Question> out = new ArrayList<>();
        int count = Math.min(questionCount, documents.size());
        while (out.size() < count) {
            int row = random.nextInt(documents.size());
            if (!used.add(row)) {
                continue;
            }
            var m = documents.get(row).metadata();
            String upf = m.getString("upf").equals("none") ? "no UPF rating" : "UPF " + m.getString("upf") + " sun protection";
            out.add(new Question("Which " + m.getString("category").toLowerCase(Locale.ROOT) + " from the "
                    + m.getString("collection") + " collection comes in " + m.getString("color") + ", with " + upf
                    + " and " + pockets(m.getString("pockets")) + "?", m.getInteger("row")));
        }
        return out;
    }

    private static String pockets(String count) {
        return count.equals("1") ? "1 pocket" : count + " pockets";
    }

    private static Path bundledCatalog() {
        try (InputStream in = EmbeddingsBench.class.getResourceAsStream("/data/catalog.csv")) {
            if (in == null) {
                throw new IllegalStateException("data/catalog.csv is not on the classpath; pass --catalog PATH");
            }
            Path file = Files.createTempFile("trellis-catalog", ".csv");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the bundled catalogue to a temp file", e);
        }
    }
}
