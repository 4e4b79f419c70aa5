package dev.trellis.samples.bench;

import dev.trellis.framework.io.FileTrees;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.trellis.retrieval.lucene.CommitPolicy;
import dev.trellis.retrieval.lucene.LuceneEmbeddingStore;
import dev.trellis.retrieval.lucene.TrellisHnswVectorsFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code trellis bench store}: the Lucene store against langchain4j's InMemoryEmbeddingStore on
 * seeded synthetic clustered vectors: ingestion, query latency and recall@10 against exact search.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "LuceneEmbeddingStore vs langchain4j InMemoryEmbeddingStore: ingestion, query p50/p99, recall@10.")
public final class StoreBench implements Callable<Integer> {

    @Option(names = "--sizes", split = ",", defaultValue = "10000,100000", description = "Index sizes (default: ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--queries", defaultValue = "300", description = "Timed queries per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--baseline-queries", defaultValue = "100", description = "Timed queries on the in-memory store (default: ${DEFAULT-VALUE}).")
    int baselineQueries;

    @Option(names = "--dimension", defaultValue = "384") int dimension;
    @Option(names = "--clusters", defaultValue = "100") int clusters;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--k", defaultValue = "10", description = "Results per query (recall@k).") int k;
    @Option(names = "--quantized", description = "Use int8 scalar-quantized HNSW.") boolean quantized;
    @Option(names = "--oversample", description = "Graph candidates per result (default: the store's).") Integer oversample;
    @Option(names = "--min-candidates", description = "Least graph candidates per query (default: the store's).") Integer minCandidates;
    @Option(names = "--threads", defaultValue = "1", description = "Indexing and merge threads (2 build two graphs and merge them: more CPU in total).") int threads;
    @Option(names = "--ram-buffer-mb", defaultValue = "1500") double ramBufferMb;
    @Option(names = "--beam-width", description = "HNSW beam width (default: the store's).") Integer beamWidth;
    @Option(names = "--max-connections", description = "HNSW M (default: the store's).") Integer maxConnections;
    @Option(names = "--warmup-seconds", defaultValue = "20", description = "Queries run before timing, per store and size,"
            + " until the JIT has settled (default: ${DEFAULT-VALUE}).") int warmupSeconds;
    @Option(names = "--dir", description = "Index parent directory (default: a temporary one, deleted afterwards).") Path dir;

    private record Figures(double ingestSeconds, double p50Ms, double p99Ms, double recall) {
    }

    @Override
    public Integer call() throws IOException {
        System.out.printf(Locale.ROOT, "Store benchmark: %d-d clustered vectors (%d clusters, seed %d), recall@%d vs exact search,"
                        + " %d cores, Java %s%n", dimension, clusters, seed, k, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "Lucene: %s HNSW M=%s beam=%s, candidates max(%s, %s*k), %d indexing threads, RAM buffer %.0f MB%n",
                quantized ? "int8-quantized" : "float", orDefault(maxConnections), orDefault(beamWidth), orDefault(minCandidates),
                orDefault(oversample), threads, ramBufferMb);
        System.out.printf(Locale.ROOT, "Vector scoring: %s; %d s of warm-up queries before each timing%n%n",
                TrellisHnswVectorsFormat.scorerDescription(), warmupSeconds);
        Path parent = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("trellis-bench-store");
        List<String> json = new ArrayList<>();
        String header = String.format(Locale.ROOT, "%-8s %-30s %10s %10s %9s %9s %10s", "size", "store", "ingest s", "docs/s",
                "p50 ms", "p99 ms", "recall@" + k);
        StringBuilder table = new StringBuilder(header).append('\n');
        try {
            for (int size : sizes) {
                List<Embedding> all = clustered(size + queries, seed + size);
                List<Embedding> data = all.subList(0, size);
                List<Embedding> probes = all.subList(size, size + queries);
                long t0 = System.nanoTime();
                int[][] truth = exactTopK(data, probes);
                System.out.printf(Locale.ROOT, "size %d: exact top-%d for %d queries in %.1f s%n", size, k, queries, secondsSince(t0));

                Figures ours = lucene(parent.resolve("n" + size), data, probes, truth);
                Figures base = inMemory(data, probes.subList(0, Math.min(baselineQueries, queries)), truth);
                double ratio = base.p50Ms / ours.p50Ms;
                table.append(row(size, "langchain4j InMemoryEmbeddingStore", base));
                table.append(row(size, "Trellis LuceneEmbeddingStore", ours));
                table.append(String.format(Locale.ROOT, "%-8s %-30s p50 speed-up %.0fx%n", "", "", ratio));
                json.add(String.format(Locale.ROOT, "{\"size\":%d,\"baseline\":{\"store\":\"InMemoryEmbeddingStore\",\"ingest_s\":%.3f,"
                                + "\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"recall_at_%d\":%.4f},\"ours\":{\"store\":\"LuceneEmbeddingStore\","
                                + "\"ingest_s\":%.2f,\"docs_per_s\":%.0f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"recall_at_%d\":%.4f},"
                                + "\"ratio\":%.1f}", size, base.ingestSeconds, base.p50Ms, base.p99Ms, k, base.recall,
                        ours.ingestSeconds, size / ours.ingestSeconds, ours.p50Ms, ours.p99Ms, k, ours.recall, ratio));
            }
        } finally {
            if (dir == null) {
                FileTrees.deleteUnchecked(parent);
            }
        }
        System.out.println();
        System.out.print(table);
        System.out.println("(ratio = in-memory p50 / Lucene p50; ingestion = adds + commit + merge to one segment)");
        System.out.println("{\"bench\":\"store\",\"quantized\":" + quantized + ",\"cores\":" + Runtime.getRuntime().availableProcessors()
                + ",\"results\":[" + String.join(",", json) + "]}");
        return 0;
    }

    private Figures lucene(Path path, List<Embedding> data, List<Embedding> probes, int[][] truth) {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        LuceneEmbeddingStore.Builder builder = LuceneEmbeddingStore.builder()
                .directory(path).dimension(dimension).quantized(quantized)
                .indexingThreads(threads).mergeThreads(threads).ramBufferMb(ramBufferMb)
                .commitPolicy(CommitPolicy.manual());
        if (oversample != null) {
            builder.oversampleFactor(oversample);
        }
        if (minCandidates != null) {
            builder.minCandidates(minCandidates);
        }
        if (beamWidth != null) {
            builder.hnswBeamWidth(beamWidth);
        }
        if (maxConnections != null) {
            builder.hnswMaxConnections(maxConnections);
        }
        try (LuceneEmbeddingStore store = builder.build()) {
            List<String> ids = store.addAll(data);
            double added = secondsSince(t0);
            store.commit();
            double committed = secondsSince(t0);
            store.forceMerge(1);
            double ingest = secondsSince(t0);
            System.out.printf(Locale.ROOT, "size %d: Lucene ingestion %.1f s wall, %.1f s CPU (adds %.1f s, commit %.1f s,"
                    + " merge %.1f s)%n", data.size(), ingest, (processCpuNanos() - cpu0) / 1e9, added, committed - added,
                    ingest - committed);
            Figures f = queryFigures(store, ids, probes, truth, ingest);
            System.out.printf(Locale.ROOT, "size %d: Lucene examines %d graph candidates for k=%d%n", data.size(), store.candidates(k), k);
            System.out.printf(Locale.ROOT, "size %d: Lucene p50 %.3f ms, recall %.4f%n", data.size(), f.p50Ms, f.recall);
            return f;
        }
    }

    private Figures inMemory(List<Embedding> data, List<Embedding> probes, int[][] truth) {
        long t0 = System.nanoTime();
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<String> ids = store.addAll(data);
        double ingest = secondsSince(t0);
        Figures f = queryFigures(store, ids, probes, truth, ingest);
        System.out.printf(Locale.ROOT, "size %d: in-memory p50 %.3f ms, recall %.4f%n", data.size(), f.p50Ms, f.recall);
        return f;
    }

    private Figures queryFigures(EmbeddingStore<TextSegment> store, List<String> ids, List<Embedding> probes, int[][] truth,
                                 double ingestSeconds) {
        // steady state: Lucene's search path takes C2 well over ten seconds of queries to settle on 2 cores
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        for (int i = 0; i < 5 || System.nanoTime() < warmupEnd; i++) {
            search(store, probes.get(i % probes.size()));
        }
        double[] millis = new double[probes.size()];
        int found = 0;
        for (int q = 0; q < probes.size(); q++) {
            long t = System.nanoTime();
            List<EmbeddingMatch<TextSegment>> matches = search(store, probes.get(q));
            millis[q] = (System.nanoTime() - t) / 1e6;
            List<String> got = matches.stream().map(EmbeddingMatch::embeddingId).toList();
            for (int index : truth[q]) {
                found += got.contains(ids.get(index)) ? 1 : 0;
            }
        }
        Arrays.sort(millis);
        return new Figures(ingestSeconds, percentile(millis, 0.50), percentile(millis, 0.99), found / (double) (k * probes.size()));
    }

    private List<EmbeddingMatch<TextSegment>> search(EmbeddingStore<TextSegment> store, Embedding query) {
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(k).build()).matches();
    }

    /** Clusters with unit-variance centres and members at noise 0.6 per dimension (intra-cluster cosine ~0.7). */
    private List<Embedding> clustered(int count, long seed) {
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

    /** Brute-force cosine top-k, in double precision, queries in parallel. */
    private int[][] exactTopK(List<Embedding> data, List<Embedding> probes) {
        float[][] unit = data.stream().map(e -> normalize(e.vector())).toArray(float[][]::new);
        return IntStream.range(0, probes.size()).parallel().mapToObj(q -> {
            float[] query = normalize(probes.get(q).vector());
            int[] best = new int[k];
            double[] bestScores = new double[k];
            Arrays.fill(bestScores, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < unit.length; i++) {
                double dot = 0;
                float[] v = unit[i];
                for (int d = 0; d < v.length; d++) {
                    dot += v[d] * (double) query[d];
                }
                if (dot > bestScores[k - 1]) { // insertion into the sorted top-k
                    int at = k - 1;
                    while (at > 0 && bestScores[at - 1] < dot) {
                        bestScores[at] = bestScores[at - 1];
                        best[at] = best[at - 1];
                        at--;
                    }
                    bestScores[at] = dot;
                    best[at] = i;
                }
            }
            return best;
        }).toArray(int[][]::new);
    }

    private static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * (double) x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return u;
    }

    /** CPU time of the whole process: on a shared machine it says more than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String orDefault(Integer value) {
        return value == null ? "default" : value.toString();
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String row(int size, String store, Figures f) {
        return String.format(Locale.ROOT, "%-8d %-30s %10.2f %10.0f %9.3f %9.3f %10.4f%n", size, store, f.ingestSeconds,
                size / f.ingestSeconds, f.p50Ms, f.p99Ms, f.recall);
    }
}
