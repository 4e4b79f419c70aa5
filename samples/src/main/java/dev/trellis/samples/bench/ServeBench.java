package dev.trellis.samples.bench;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.serve.ModelServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code trellis bench serve}: what the OpenAI-compatible server costs on top of the model, and how
 * it holds up under concurrent clients.
 *
 * <p>The model is a fast deterministic stand-in (echoes the prompt after a fixed simulated
 * generation time), so the figures measure the server, not the weights: the overhead is the p50
 * of an HTTP chat completion minus the p50 of calling the same model object directly in the same
 * process. The load phase runs 32 concurrent clients x 10 requests (half streamed) with a queue
 * large enough for all of them, where any error is a failure; the overload phase shrinks the queue
 * so that 429s are deliberate, and every other answer must still succeed. With {@code --model DIR}
 * the same overhead comparison also runs on a real checkpoint through {@code LocalChatModel}, and
 * then the load comparison ({@link ServedModelLoad}): {@code --model-clients} concurrent streaming
 * clients asking for {@code --new-tokens} each, served by {@code --workers 1}, the
 * {@code --baseline-workers} and continuous batching, with aggregate tokens/s, time to first token,
 * latency p50/p99 and the targets (16 clients: batching at least 3x workers 1 and 1.5x the
 * best workers N; 1 client: within 5% of workers 1; 64 clients: no errors and a lower p99).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "OpenAI-compatible server: overhead over a direct model call, 32 concurrent clients; with --model,"
                + " continuous batching against one-request-per-worker at 1/4/16/64 clients.")
public final class ServeBench implements Runnable {

    @Option(names = "--calls", defaultValue = "2000", description = "Sequential calls for the overhead figure (default: ${DEFAULT-VALUE}).")
    int calls;
    @Option(names = "--warmup", defaultValue = "500", description = "Untimed warm-up calls (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients in the load phase (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--requests", defaultValue = "10", description = "Requests per client (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;
    @Option(names = "--workers", defaultValue = "4", description = "Server worker threads in the load phases (default: ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--generate-ms", defaultValue = "5", description = "Simulated generation time per answer in the load phases (default: ${DEFAULT-VALUE}).")
    double generateMs;
    @Option(names = "--overload-queue", defaultValue = "4", description = "Queue capacity in the overload phase (default: ${DEFAULT-VALUE}).")
    int overloadQueue;
    @Option(names = "--model", description = "Also time a real checkpoint (LocalChatModel, greedy, 8 new tokens): direct vs over HTTP.")
    Path checkpoint;
    @Option(names = "--model-calls", defaultValue = "30", description = "Timed calls per side with --model (default: ${DEFAULT-VALUE}).")
    int modelCalls;
    @Option(names = "--model-clients", split = ",", defaultValue = "1,4,16,64",
            description = "With --model: concurrent streaming clients in the load comparison (default: ${DEFAULT-VALUE}).")
    List<Integer> modelClients;
    @Option(names = "--new-tokens", defaultValue = "64", description = "With --model: new tokens each load request asks for,"
            + " end-of-sequence ignored (default: ${DEFAULT-VALUE}).")
    int newTokens;
    @Option(names = "--model-requests", defaultValue = "2", description = "With --model: requests per client, back to back (default: ${DEFAULT-VALUE}).")
    int modelRequests;

    @Option(names = "--model-rounds", defaultValue = "3",
            description = "With --model: rounds of every setup at each client count, in rotating order, summed (default: ${DEFAULT-VALUE}).")
    int modelRounds;
    @Option(names = "--baseline-workers", split = ",", defaultValue = "2,4",
            description = "With --model: the --workers N baselines besides --workers 1; the best is compared (default: ${DEFAULT-VALUE}).")
    List<Integer> baselineWorkers;
    @Option(names = "--max-batch", split = ",", description = "With --model: the batch sizes to run continuous batching with"
            + " (default: the model's default only).")
    List<Integer> maxBatches;
    @Option(names = "--model-queue", defaultValue = "64", description = "With --model: the server's queue in the load comparison (default: ${DEFAULT-VALUE}).")
    int modelQueue;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public void run() {
        System.out.printf(Locale.ROOT, "Serve benchmark: a deterministic echo model (no weights), JDK HttpClient on loopback, %d cores%n%n",
                Runtime.getRuntime().availableProcessors());
        try {
            runChecked();
        } catch (Exception e) {
            throw new IllegalStateException("serve benchmark failed: " + e.getMessage(), e);
        }
    }

    private void runChecked() throws Exception {
        // Overhead: the model answers instantly, so whatever the HTTP round trip adds is the server's cost.
        EchoModel instant = new EchoModel(0);
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("what does the server cost?")).build();
        double[] direct = new double[calls];
        for (int i = 0; i < warmup + calls; i++) {
            long t0 = System.nanoTime();
            instant.chat(request);
            if (i >= warmup) {
                direct[i - warmup] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] served = new double[calls];
        try (ModelServer server = ModelServer.builder().chatModel(instant).modelId("echo").port(0).build().start()) {
            String body = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"what does the server cost?\"}]}";
            for (int i = 0; i < warmup + calls; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> response = post(server, body);
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("overhead call " + i + " answered " + response.statusCode() + ": " + response.body());
                }
                if (i >= warmup) {
                    served[i - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        double directP50 = percentile(direct, 50);
        double servedP50 = percentile(served, 50);
        double overheadP50 = servedP50 - directP50;
        System.out.printf(Locale.ROOT, "%-40s %10s %10s %10s%n", "sequential, " + calls + " calls", "p50 ms", "p95 ms", "p99 ms");
        System.out.printf(Locale.ROOT, "%-40s %10.3f %10.3f %10.3f%n", "direct model.chat()", directP50, percentile(direct, 95), percentile(direct, 99));
        System.out.printf(Locale.ROOT, "%-40s %10.3f %10.3f %10.3f%n", "POST /v1/chat/completions", servedP50, percentile(served, 95), percentile(served, 99));
        System.out.printf(Locale.ROOT, "%-40s %10.3f   (target < 5 ms)%n%n", "server overhead (p50 difference)", overheadP50);

        String realJson = checkpoint == null ? "" : realModel() + modelLoad();

        Load load = load(new EchoModel(generateMs), 4 * clients, "load");
        Load overload = load(new EchoModel(generateMs), overloadQueue, "overload");
        System.out.printf(Locale.ROOT, "%-10s %8s %6s %6s %6s %10s %10s %10s%n", "phase", "requests", "200", "429", "other", "p50 ms", "p95 ms", "req/s");
        for (Load l : List.of(load, overload)) {
            System.out.printf(Locale.ROOT, "%-10s %8d %6d %6d %6d %10.2f %10.2f %10.1f%n", l.name, l.total, l.ok, l.rejected,
                    l.other, l.p50, l.p95, l.throughput);
        }
        System.out.printf(Locale.ROOT, "(%d clients x %d requests, half streamed, %d workers, %.1f ms per answer; queue %d then %d)%n",
                clients, requestsPerClient, workers, generateMs, 4 * clients, overloadQueue);
        for (Load l : List.of(load, overload)) {
            l.failures.stream().limit(5).forEach(f -> System.out.println(l.name + " failure: " + f));
        }
        boolean pass = overheadP50 < 5 && load.other == 0 && load.rejected == 0 && overload.other == 0;
        System.out.printf(Locale.ROOT, "%s%n%n", pass ? "PASS" : "FAIL");
        System.out.printf(Locale.ROOT, "{\"bench\":\"serve\",\"model\":\"deterministic echo (no weights)\",\"baseline\":{\"direct_p50_ms\":%.4f},"
                        + "\"ours\":{\"http_p50_ms\":%.4f,\"overhead_p50_ms\":%.4f},\"ratio\":%.2f,"
                        + "\"load\":{\"clients\":%d,\"requests\":%d,\"ok\":%d,\"429\":%d,\"errors\":%d,\"p50_ms\":%.2f,\"req_per_s\":%.1f},"
                        + "\"overload\":{\"queue\":%d,\"requests\":%d,\"ok\":%d,\"429\":%d,\"errors\":%d}%s,\"pass\":%b}%n",
                directP50, servedP50, overheadP50, servedP50 / Math.max(directP50, 1e-6), clients, load.total, load.ok,
                load.rejected, load.other, load.p50, load.throughput, overloadQueue, overload.total, overload.ok,
                overload.rejected, overload.other, realJson, pass);
    }

    /** Direct LocalChatModel.chat against the same request over HTTP, on a real checkpoint; returns a JSON fragment. */
    private String realModel() throws Exception {
        try (LocalChatModel model = LocalChatModel.builder().checkpoint(checkpoint).modelName("real").build()) {
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("What does the server cost?"))
                    .temperature(0.0).maxOutputTokens(8).build();
            String body = "{\"model\":\"real\",\"temperature\":0,\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"What does the server cost?\"}]}";
            double[] direct = new double[modelCalls];
            double[] served = new double[modelCalls];
            try (ModelServer server = ModelServer.builder().chatModel(model).modelId("real").port(0).build().start()) {
                for (int i = 0; i < 5; i++) {
                    model.chat(request);
                    post(server, body);
                }
                // Interleaved, so that machine load drifts the same way for both sides.
                for (int i = 0; i < modelCalls; i++) {
                    long t0 = System.nanoTime();
                    model.chat(request);
                    direct[i] = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    HttpResponse<String> response = post(server, body);
                    served[i] = (System.nanoTime() - t0) / 1e6;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("real-model call answered " + response.statusCode() + ": " + response.body());
                    }
                }
            }
            double d = percentile(direct, 50);
            double h = percentile(served, 50);
            System.out.printf(Locale.ROOT, "%-40s %10.3f%n", "real model " + checkpoint.getFileName() + ", direct p50 ms", d);
            System.out.printf(Locale.ROOT, "%-40s %10.3f%n", "real model over HTTP p50 ms", h);
            System.out.printf(Locale.ROOT, "%-40s %10.3f%n%n", "real model overhead (p50 difference)", h - d);
            return String.format(Locale.ROOT, ",\"real_model\":{\"direct_p50_ms\":%.3f,\"http_p50_ms\":%.3f,\"overhead_p50_ms\":%.3f}",
                    d, h, h - d);
        }
    }

    /**
     * The load comparison on the real checkpoint: {@code --workers 1}, the best {@code --workers N}, and continuous
     * batching, at each client count; prints the table and the targets, returns a JSON fragment.
     */
    private String modelLoad() throws Exception {
        for (int c : modelClients) {
            if (c < 1) {
                throw new IllegalArgumentException("--model-clients " + modelClients + ": every count must be positive");
            }
        }
        List<ServedModelLoad.Setup> setups = new ArrayList<>();
        setups.add(new ServedModelLoad.Setup("workers 1", 1, false, null));
        for (int w : baselineWorkers) {
            if (w > 1) {
                setups.add(new ServedModelLoad.Setup("workers " + w, w, false, null));
            }
        }
        if (maxBatches == null || maxBatches.isEmpty()) {
            setups.add(new ServedModelLoad.Setup("batch", 0, true, null));
        } else {
            for (int b : maxBatches) {
                if (b < 1) {
                    throw new IllegalArgumentException("--max-batch " + maxBatches + ": every size must be positive");
                }
                setups.add(new ServedModelLoad.Setup("batch " + b, 0, true, b));
            }
        }
        if (modelRounds < 1) {
            throw new IllegalArgumentException("--model-rounds must be at least 1, got " + modelRounds);
        }
        System.out.printf(Locale.ROOT, "Load on %s: streaming clients, %d new tokens each (ignore_eos), %d request(s) per client,"
                + " greedy, %d rounds per setup in rotating order%n", checkpoint.getFileName(), newTokens, modelRequests, modelRounds);
        List<ServedModelLoad.Result> results = new ServedModelLoad(checkpoint, newTokens, modelRequests)
                .run(setups, modelClients, modelQueue, modelRounds);
        System.out.printf(Locale.ROOT, "%n%-8s %-12s %10s %10s %10s %11s %11s %7s %10s%n", "clients", "scheduler", "tokens/s",
                "TTFT p50", "TTFT p99", "lat. p50", "lat. p99", "errors", "vs w1");
        StringBuilder json = new StringBuilder(",\"load\":[");
        boolean pass = true;
        List<String> verdicts = new ArrayList<>();
        for (int clients : modelClients) {
            List<ServedModelLoad.Result> row = results.stream().filter(r -> r.clients() == clients).toList();
            ServedModelLoad.Result one = row.stream().filter(r -> r.setup().workers() == 1).findFirst().orElseThrow();
            ServedModelLoad.Result best = row.stream().filter(r -> !r.setup().batching())
                    .max(java.util.Comparator.comparingDouble(ServedModelLoad.Result::tokensPerSecond)).orElseThrow();
            ServedModelLoad.Result batch = row.stream().filter(r -> r.setup().batching())
                    .max(java.util.Comparator.comparingDouble(ServedModelLoad.Result::tokensPerSecond)).orElseThrow();
            for (ServedModelLoad.Result r : row) {
                System.out.printf(Locale.ROOT, "%-8d %-12s %10.1f %10.1f %10.1f %11.1f %11.1f %7d %9.2fx%n", clients,
                        r.setup().name(), r.tokensPerSecond(), ServedModelLoad.percentile(r.ttftMs(), 50),
                        ServedModelLoad.percentile(r.ttftMs(), 99), ServedModelLoad.percentile(r.latencyMs(), 50),
                        ServedModelLoad.percentile(r.latencyMs(), 99), r.errors(), r.tokensPerSecond() / one.tokensPerSecond());
                r.failures().stream().limit(3).forEach(f -> System.out.println("         failure: " + f));
                json.append(String.format(Locale.ROOT, "{\"clients\":%d,\"scheduler\":\"%s\",\"tokens_per_s\":%.1f,"
                                + "\"ttft_p50_ms\":%.1f,\"ttft_p99_ms\":%.1f,\"latency_p50_ms\":%.1f,\"latency_p99_ms\":%.1f,"
                                + "\"errors\":%d},", clients, r.setup().name(), r.tokensPerSecond(),
                        ServedModelLoad.percentile(r.ttftMs(), 50), ServedModelLoad.percentile(r.ttftMs(), 99),
                        ServedModelLoad.percentile(r.latencyMs(), 50), ServedModelLoad.percentile(r.latencyMs(), 99), r.errors()));
            }
            double vsOne = batch.tokensPerSecond() / one.tokensPerSecond();
            double vsBest = batch.tokensPerSecond() / best.tokensPerSecond();
            System.out.printf(Locale.ROOT, "%-8s batch vs workers 1: %.2fx, vs best workers (%s): %.2fx%n", "", vsOne,
                    best.setup().name(), vsBest);
            if (clients == 16) {
                boolean met = vsOne >= 3 && vsBest >= 1.5;
                pass &= met;
                verdicts.add(String.format(Locale.ROOT, "16 clients: %.2fx workers 1 (>= 3x), %.2fx best workers (>= 1.5x): %s",
                        vsOne, vsBest, met ? "met" : "NOT met"));
            }
            if (clients == 1) {
                boolean met = vsOne >= 0.95;
                pass &= met;
                verdicts.add(String.format(Locale.ROOT, "1 client: %.2fx workers 1 (>= 0.95x): %s", vsOne, met ? "met" : "NOT met"));
            }
            if (clients == 64) {
                double p99 = ServedModelLoad.percentile(batch.latencyMs(), 99);
                double todayP99 = ServedModelLoad.percentile(one.latencyMs(), 99);
                boolean met = batch.errors() == 0 && p99 < todayP99;
                pass &= met;
                verdicts.add(String.format(Locale.ROOT, "64 clients: %d errors, p99 %.0f ms vs %.0f ms with workers 1: %s",
                        batch.errors(), p99, todayP99, met ? "met" : "NOT met"));
            }
        }
        verdicts.forEach(v -> System.out.println("target " + v));
        System.out.println();
        json.setLength(json.length() - 1);
        return json.append("],\"load_targets_met\":").append(pass).toString();
    }

    private record Load(String name, int total, int ok, int rejected, int other, double p50, double p95,
                        double throughput, List<String> failures) {
    }

    private Load load(EchoModel model, int queue, String name) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        long start;
        long end;
        try (ModelServer server = ModelServer.builder().chatModel(model).modelId("echo").port(0)
                .workers(workers).queueCapacity(queue).build().start()) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> futures = new ArrayList<>();
            start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int r = 0; r < requestsPerClient; r++) {
                        boolean stream = (client + r) % 2 == 0;
                        String body = "{\"model\":\"echo\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"client "
                                + client + " request " + r + "\"}]}";
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = post(server, body);
                            String expected = "Echo: client " + client + " request " + r;
                            if (response.statusCode() == 200 && expected.equals(answerText(response.body(), stream))) {
                                ok.incrementAndGet();
                                latencies.add((System.nanoTime() - t0) / 1e6);
                            } else if (response.statusCode() == 429 && response.headers().firstValue("Retry-After").isPresent()) {
                                rejected.incrementAndGet();
                            } else {
                                other.incrementAndGet();
                                failures.merge(response.statusCode() + " " + abbreviate(response.body()), 1, Integer::sum);
                            }
                        } catch (Exception e) {
                            other.incrementAndGet();
                            failures.merge(e.toString(), 1, Integer::sum);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            end = System.nanoTime();
            pool.shutdown();
        }
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        int total = clients * requestsPerClient;
        return new Load(name, total, ok.get(), rejected.get(), other.get(), l.length == 0 ? 0 : percentile(l, 50),
                l.length == 0 ? 0 : percentile(l, 95), ok.get() / ((end - start) / 1e9),
                failures.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey()).toList());
    }

    private HttpResponse<String> post(ModelServer server, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The answer's text: the message content, or a stream's deltas joined (null if the stream did not end in [DONE]). */
    private static String answerText(String body, boolean stream) throws Exception {
        if (!stream) {
            return JSON.readTree(body).at("/choices/0/message/content").asText();
        }
        if (!body.endsWith("data: [DONE]\n\n")) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (String event : body.split("\n\n")) {
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                text.append(JSON.readTree(data).at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The stand-in model: echoes the last user message after {@code generateMs} of simulated work, streamed by word. */
    static final class EchoModel implements ChatModel, StreamingChatModel {
        private final long generateNanos;

        EchoModel(double generateMs) {
            this.generateNanos = (long) (generateMs * 1e6);
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            if (generateNanos > 0) {
                LockSupport.parkNanos(generateNanos);
            }
            List<ChatMessage> messages = request.messages();
            String last = messages.get(messages.size() - 1) instanceof UserMessage user ? user.singleText() : "";
            String text = "Echo: " + last;
            return ChatResponse.builder().aiMessage(AiMessage.from(text)).finishReason(FinishReason.STOP)
                    .tokenUsage(new TokenUsage(last.split(" ").length, text.split(" ").length)).build();
        }

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            ChatResponse response = doChat(request);
            for (String piece : response.aiMessage().text().split("(?<= )")) {
                handler.onPartialResponse(piece);
            }
            handler.onCompleteResponse(response);
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().build();
        }

        @Override
        public List<ChatModelListener> listeners() {
            return List.of();
        }

        @Override
        public ModelProvider provider() {
            return ModelProvider.OTHER;
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return Set.of();
        }
    }
}
