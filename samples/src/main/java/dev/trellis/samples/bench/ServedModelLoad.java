package dev.trellis.samples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.serve.ModelServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The real-model half of {@code trellis bench serve --model DIR}: N concurrent streaming clients,
 * each asking for a fixed number of new tokens ({@code ignore_eos}), against the server run three
 * ways in the same process: one request at a time ({@code --workers 1}), several worker threads
 * ({@code --workers N}, the best of those given), and continuous batching. Reports aggregate new
 * tokens per second, time to first token and request latency (p50/p99), and errors.
 */
final class ServedModelLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One configuration of the server: one-at-a-time workers ({@code workers} threads), or continuous batching
     * with {@code maxBatch} sequences (null: the model's default).
     */
    record Setup(String name, int workers, boolean batching, Integer maxBatch) {
    }

    /** What one configuration did at one client count. */
    record Result(Setup setup, int clients, int requests, int errors, long tokens, double seconds, double[] ttftMs,
                  double[] latencyMs, List<String> failures) {
        double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private final Path checkpoint;
    private final int newTokens;
    private final int requestsPerClient;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    ServedModelLoad(Path checkpoint, int newTokens, int requestsPerClient) {
        this.checkpoint = checkpoint;
        this.newTokens = newTokens;
        this.requestsPerClient = requestsPerClient;
    }

    /**
     * Runs every setup at every client count. All setups' servers are up at once and take turns at each client
     * count, {@code rounds} times, each round starting with the next setup, and each setup's rounds are summed:
     * a machine whose speed drifts (other work on it, the JIT, the collector) drifts for all of them alike.
     * One round of a lone client is a few seconds, and single rounds of identical setups (workers 1 and
     * workers 4 at one client) differed by up to 1.5x.
     */
    List<Result> run(List<Setup> setups, List<Integer> clientCounts, int queue, int rounds) throws Exception {
        List<Result> results = new ArrayList<>();
        List<LocalChatModel> models = new ArrayList<>();
        List<ModelServer> servers = new ArrayList<>();
        try {
            for (Setup setup : setups) {
                LocalChatModel.Builder builder = LocalChatModel.builder().checkpoint(checkpoint).modelName("real")
                        .defaultMaxTokens(newTokens);
                if (setup.batching()) {
                    builder.batching(setup.maxBatch(), null);
                }
                LocalChatModel model = builder.build();
                models.add(model);
                ModelServer.Builder server = ModelServer.builder().chatModel(model).modelId("real").port(0)
                        .queueCapacity(queue);
                if (setup.batching()) {
                    server.workers(model.schedulerStats().orElseThrow().maxBatchSize())
                            .schedulerStats(() -> model.schedulerStats().orElseThrow());
                } else {
                    server.workers(setup.workers());
                }
                ModelServer running = server.build().start();
                servers.add(running);
                for (int i = 0; i < 3; i++) { // warm-up: JIT, native allocations
                    request(running, i, new AtomicInteger());
                }
            }
            for (int clients : clientCounts) {
                List<List<Result>> perSetup = new ArrayList<>();
                setups.forEach(s -> perSetup.add(new ArrayList<>()));
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < setups.size(); k++) {
                        int i = (round + k) % setups.size();
                        Result r = measure(servers.get(i), setups.get(i), clients);
                        perSetup.get(i).add(r);
                        System.out.printf(Locale.ROOT, "  %-12s %3d clients, round %d: %8.1f tokens/s, %d errors%n",
                                setups.get(i).name(), clients, round + 1, r.tokensPerSecond(), r.errors());
                    }
                }
                perSetup.forEach(r -> results.add(merge(r)));
            }
        } finally {
            servers.forEach(ModelServer::close);
            models.forEach(LocalChatModel::close);
        }
        return results;
    }

    /** One setup's rounds as one result: tokens and seconds summed, every request's timings together. */
    static Result merge(List<Result> rounds) {
        Result first = rounds.get(0);
        int requests = 0;
        int errors = 0;
        long tokens = 0;
        double seconds = 0;
        List<Double> ttft = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Result r : rounds) {
            requests += r.requests();
            errors += r.errors();
            tokens += r.tokens();
            seconds += r.seconds();
            Arrays.stream(r.ttftMs()).forEach(ttft::add);
            Arrays.stream(r.latencyMs()).forEach(latency::add);
            failures.addAll(r.failures());
        }
        return new Result(first.setup(), first.clients(), requests, errors, tokens, seconds,
                ttft.stream().mapToDouble(Double::doubleValue).toArray(),
                latency.stream().mapToDouble(Double::doubleValue).toArray(), failures);
    }

    private Result measure(ModelServer server, Setup setup, int clients) throws Exception {
        List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
        List<Double> latency = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> failures = Collections.synchronizedMap(new LinkedHashMap<>());
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger tokens = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            // at least 8 requests per measurement, so that a single client's figures are not one sample
            int perClient = Math.max(requestsPerClient, (8 + clients - 1) / clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int r = 0; r < perClient; r++) {
                        long t0 = System.nanoTime();
                        try {
                            double first = request(server, client * 1000 + r, tokens);
                            ttft.add(first);
                            latency.add((System.nanoTime() - t0) / 1e6);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            failures.merge(e.getMessage() == null ? e.toString() : e.getMessage(), 1, Integer::sum);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(setup, clients, ttft.size() + errors.get(), errors.get(), tokens.get(), seconds,
                ttft.stream().mapToDouble(Double::doubleValue).toArray(),
                latency.stream().mapToDouble(Double::doubleValue).toArray(),
                failures.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey()).toList());
    }

    /** One streamed chat completion; returns the time to its first content in ms and adds its completion tokens. */
    private double request(ModelServer server, int id, AtomicInteger tokens) throws Exception {
        String body = "{\"model\":\"real\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0,"
                + "\"ignore_eos\":true,\"max_tokens\":" + newTokens + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What does product " + (id % 97) + " cost, and what is it made of?\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/chat/completions")).timeout(Duration.ofMinutes(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            String text = String.join("\n", response.body().toList());
            throw new IllegalStateException(response.statusCode() + " " + (text.length() > 100 ? text.substring(0, 100) : text));
        }
        double first = -1;
        boolean done = false;
        int completion = -1;
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode event = JSON.readTree(data);
                if (event.has("error")) {
                    throw new IllegalStateException("stream error: " + event.get("error").path("message").asText());
                }
                if (first < 0 && !event.at("/choices/0/delta/content").asText("").isEmpty()) {
                    first = (System.nanoTime() - t0) / 1e6;
                }
                if (event.hasNonNull("usage")) {
                    completion = event.at("/usage/completion_tokens").asInt();
                }
            }
        }
        if (!done || completion < 0) {
            throw new IllegalStateException("stream ended without usage and [DONE]");
        }
        tokens.addAndGet(completion);
        return first < 0 ? (System.nanoTime() - t0) / 1e6 : first;
    }

    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
