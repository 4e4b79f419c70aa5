package dev.trellis.finetune.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.trellis.finetune.generate.SchedulerStats;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible HTTP server over any langchain4j {@link ChatModel} (Trellis' own
 * {@code LocalChatModel} first), so that every OpenAI client, langchain4j's
 * {@code OpenAiChatModel} and Trellis' remote path included, can use a local checkpoint:
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder()
 *         .chatModel(model).modelId("docs-assistant")
 *         .checkpointDir(dir)            // the dashboard page
 *         .port(8000)
 *         .build().start()) {
 *     server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code GET /v1/models}, {@code POST /v1/chat/completions} (blocking or
 * {@code stream: true} server-sent events ending in {@code data: [DONE]}), {@code POST
 * /v1/completions}, {@code POST /v1/embeddings} (when an embedding model is given), {@code GET
 * /health}, and the pages {@code GET /} (a chat playground) and {@code GET /dashboard} (the
 * checkpoint's provenance, loss curve and evaluation).
 *
 * <p>Model work runs on a bounded pool ({@code workers} threads, {@code queueCapacity} waiting
 * requests); a full queue answers 429 with {@code Retry-After}. A model that batches concurrent
 * requests (continuous batching) gets as many workers as its batch holds, and its figures (batch
 * size, tokens/s, waiting requests, KV-cache memory) appear in {@code /health} and on the dashboard. Errors carry OpenAI's status codes
 * and {@code {"error": {...}}} shape. The server binds loopback by default and refuses any other
 * address unless an API key is set; the key is checked in constant time. {@link #close()} stops
 * gracefully: new requests get 503, requests in flight finish.
 */
public final class ModelServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);
    private static final String WEB = "/dev/trellis/finetune/serve/web/";

    private final ChatModel chatModel;
    private final StreamingChatModel streamingModel;
    private final String modelId;
    private final EmbeddingModel embeddingModel;
    private final String embeddingModelId;
    private final TokenCountEstimator tokenCountEstimator;
    private final int contextLength;
    private final String host;
    private final int requestedPort;
    private final ApiKey apiKey;
    private final long maxBodyBytes;
    private final Duration bodyTimeout;
    private final int maxBodyReaders;
    private final Semaphore bodyReaders;
    private final int maxConnections;
    private final Duration shutdownGrace;
    private final List<String> allowedOrigins;
    private final CheckpointDashboard dashboard;
    private final WorkerPool pool;
    /** The batch scheduler's live figures when the model batches across requests; null otherwise. */
    private final Supplier<SchedulerStats> schedulerStats;
    private final long created = Instant.now().getEpochSecond();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();
    private volatile boolean draining;
    private volatile boolean stopped;
    private Javalin app;

    private ModelServer(Builder b) {
        this.chatModel = Objects.requireNonNull(b.chatModel, "chatModel is required");
        this.streamingModel = b.streamingModel != null ? b.streamingModel
                : b.chatModel instanceof StreamingChatModel s ? s : null;
        this.modelId = requireText(b.modelId, "modelId");
        this.embeddingModel = b.embeddingModel;
        this.embeddingModelId = b.embeddingModelId;
        this.tokenCountEstimator = b.tokenCountEstimator;
        this.contextLength = b.contextLength;
        this.host = requireText(b.host, "host");
        this.requestedPort = b.port;
        this.apiKey = b.apiKey == null ? null : new ApiKey(b.apiKey);
        this.maxBodyBytes = b.maxBodyBytes;
        this.bodyTimeout = b.bodyTimeout;
        this.maxBodyReaders = b.maxBodyReaders;
        this.bodyReaders = new Semaphore(b.maxBodyReaders);
        this.maxConnections = b.maxConnections;
        this.shutdownGrace = b.shutdownGrace;
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.dashboard = new CheckpointDashboard(b.checkpointDir);
        if (b.contextLength > 0 && b.tokenCountEstimator == null) {
            throw new IllegalArgumentException("contextLength " + b.contextLength + " needs a tokenCountEstimator to"
                    + " count prompts with; give one (e.g. the model's tokenizer) or leave contextLength unset");
        }
        this.pool = new WorkerPool(b.workers, b.queueCapacity);
        this.schedulerStats = b.schedulerStats;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts serving. Refuses (with {@link ServerStartException}) to listen on a
     * non-loopback address without an API key: anyone on the network could use the model.
     */
    public synchronized ModelServer start() {
        if (app != null) {
            throw new IllegalStateException("server already started on port " + port());
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ServerStartException("Cannot resolve the bind address '" + host + "' (" + e.getMessage()
                    + "); give --host an address or name of this machine, such as 127.0.0.1.", e);
        }
        if (!address.isLoopbackAddress() && apiKey == null) {
            throw new ServerStartException("Refusing to listen on " + host + " without an API key: anyone who can"
                    + " reach this machine could use the model. Set an API key (--api-key or TRELLIS_API_KEY) or bind"
                    + " a loopback address such as 127.0.0.1.");
        }
        QueuedThreadPool httpThreads = new QueuedThreadPool(Math.max(64, pool.queueCapacity() + pool.workers() + 16), 8);
        httpThreads.setName("trellis-serve-http");
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = maxBodyBytes;
            // Server-sent events must reach the client as they are written, not when a gzip block fills.
            config.http.disableCompression();
            config.jetty.threadPool = httpThreads;
            config.jetty.defaultHost = host;
            config.jetty.defaultPort = requestedPort;
            config.jetty.modifyServer(server -> {
                // Jetty's own errors (a rejected path such as /../x, a malformed request) in OpenAI's JSON shape
                server.setErrorHandler(new JsonErrorHandler());
                // connections beyond this wait to be accepted, so slow clients cannot exhaust the threads
                server.addBean(new ConnectionLimit(maxConnections, server));
            });
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
            config.requestLogger.http((ctx, ms) -> LOG.debug("{} {} {} {} ms", ctx.method(), ctx.path(),
                    ctx.statusCode(), String.format(java.util.Locale.ROOT, "%.1f", ms)));
            if (!allowedOrigins.isEmpty()) {
                // Browser apps on other origins (a chat UI on another port) may call the API.
                config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                    if (allowedOrigins.contains("*")) {
                        rule.anyHost();
                    } else {
                        rule.allowHost(allowedOrigins.get(0), allowedOrigins.subList(1, allowedOrigins.size())
                                .toArray(String[]::new));
                    }
                    rule.exposeHeader("Retry-After");
                }));
            }
        });
        routes(app);
        try {
            app.start(host, requestedPort);
        } catch (RuntimeException e) {
            app = null;
            pool.close();
            throw bindFailure(e);
        }
        LOG.info("Serving model '{}' at http://{}:{}/v1 ({}, queue {}, API key {})", modelId, host, port(),
                schedulerStats == null ? pool.workers() + " worker(s)"
                        : "continuous batching of up to " + schedulerStats.get().maxBatchSize() + " requests",
                pool.queueCapacity(), apiKey == null ? "off" : "on");
        return this;
    }

    /** Why binding failed, naming the flag that fixes it: a port in use, or an address not of this machine. */
    private ServerStartException bindFailure(RuntimeException e) {
        String reason = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException bind) {
                reason = bind.getMessage();
                break;
            }
        }
        String where = host + ":" + requestedPort;
        if (reason != null && reason.contains("in use")) {
            return new ServerStartException("Cannot listen on " + where + " (" + reason + "); is another server using"
                    + " the port? Choose another with --port (0 picks a free one).", e);
        }
        if (reason != null && (reason.contains("assign requested address") || reason.contains("not available"))) {
            return new ServerStartException("Cannot listen on " + where + " (" + reason + "): " + host + " is not an"
                    + " address of this machine; give --host one of its addresses, such as 127.0.0.1.", e);
        }
        return new ServerStartException("Cannot listen on " + where + " (" + reason + "); check --host and --port"
                + " (is another server using the port?).", e);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        if (app == null) {
            throw new IllegalStateException("server not started");
        }
        return app.port();
    }

    /** The base URL an OpenAI client needs, e.g. {@code http://127.0.0.1:8000/v1}. */
    public String baseUrl() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port() + "/v1";
    }

    public String modelId() {
        return modelId;
    }

    /** Blocks until {@link #close()} has run (from a shutdown hook or another thread). */
    public void awaitShutdown() throws InterruptedException {
        synchronized (drained) {
            while (!stopped) {
                drained.wait();
            }
        }
    }

    /**
     * Stops gracefully: new requests are answered 503, requests in flight (queued ones included)
     * get up to the shutdown grace period to finish, then the listener closes.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (app == null || stopped) {
                pool.close();
                return;
            }
            draining = true;
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        try {
            synchronized (drained) {
                while (inFlight.get() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        LOG.warn("Shutdown grace of {} passed with {} request(s) still in flight; closing anyway",
                                shutdownGrace, inFlight.get());
                        break;
                    }
                    drained.wait(Math.max(1, left / 1_000_000));
                }
            }
            pool.shutdown(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.close();
            app.stop();
            synchronized (drained) {
                stopped = true;
                drained.notifyAll();
            }
            LOG.info("Server for '{}' stopped", modelId);
        }
    }

    private void routes(Javalin app) {
        app.before(this::authorize);
        if (!allowedOrigins.isEmpty()) {
            // The CORS plugin adds its headers in a before-handler; the preflight itself needs a route to land on.
            app.options("*", ctx -> ctx.status(204));
        }
        app.get("/health", this::health);
        app.get("/v1/models", ctx -> ctx.json(models()));
        app.get("/v1/models/{id}", this::model);
        app.post("/v1/chat/completions", tracked(this::chatCompletions));
        app.post("/v1/completions", tracked(this::completions));
        app.post("/v1/embeddings", tracked(this::embeddings));
        app.get("/", ctx -> page(ctx, "index.html"));
        app.get("/dashboard", ctx -> page(ctx, "dashboard.html"));
        app.get("/static/{name}", ctx -> page(ctx, ctx.pathParam("name")));
        app.get("/api/checkpoint", ctx -> ctx.json(dashboard.summary(modelId)));
        app.get("/api/checkpoint/loss.png", this::lossPng);
        app.exception(OpenAiApiException.class, (e, ctx) -> writeError(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> writeError(ctx, new OpenAiApiException(e.getStatus(),
                e.getStatus() >= 500 ? "server_error" : "invalid_request_error",
                e.getStatus() == 404 ? "Unknown path " + ctx.method() + " " + ctx.path() + "; this server serves /v1/models,"
                        + " /v1/chat/completions, /v1/completions, /v1/embeddings and /health." : e.getMessage(),
                null, e.getStatus() == 404 ? "unknown_url" : null)));
        app.exception(ClientGoneException.class, (e, ctx) -> LOG.debug("{} {}: {}", ctx.method(), ctx.path(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
            writeError(ctx, new OpenAiApiException(500, "server_error", "Internal error: " + e, null, null));
        });
    }

    // --- endpoints ---------------------------------------------------------------------------

    private void chatCompletions(Context ctx) throws Exception {
        ChatCompletionRequest request = ChatCompletionRequest.fromJson(readJson(ctx), modelId);
        String model = resolveModel(request.model());
        int promptTokens = checkContextLength(request.chatRequest());
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        if (!request.stream()) {
            ChatResponse response = await(ctx, pool.submit(() -> chatModel.chat(request.chatRequest())));
            sendJson(ctx, 200, OpenAiResponses.chatCompletion(id, now, model, response,
                    usage(request.chatRequest(), response, promptTokens)));
            return;
        }
        StreamRelay relay = new StreamRelay();
        pool.submit(() -> relay.run(chatModel, streamingModel, request.chatRequest()));
        OutputStream out = startEventStream(ctx);
        try {
            sendEvent(out, OpenAiResponses.chatChunk(id, now, model, OpenAiResponses.roleDelta(), null));
            while (true) {
                StreamRelay.Event event = relay.next();
                if (event instanceof StreamRelay.Token token) {
                    if (!token.text().isEmpty()) {
                        sendEvent(out, OpenAiResponses.chatChunk(id, now, model,
                                OpenAiResponses.contentDelta(token.text()), null));
                    }
                } else if (event instanceof StreamRelay.Done done) {
                    AiMessage message = done.response().aiMessage();
                    if (message.hasToolExecutionRequests()) {
                        sendEvent(out, OpenAiResponses.chatChunk(id, now, model,
                                OpenAiResponses.toolCallsDelta(message.toolExecutionRequests()), null));
                    }
                    sendEvent(out, OpenAiResponses.chatChunk(id, now, model, OpenAiResponses.JSON.createObjectNode(),
                            OpenAiResponses.finishReason(done.response())));
                    if (request.includeUsage()) {
                        sendEvent(out, OpenAiResponses.usageChunk(id, "chat.completion.chunk", now, model,
                                usage(request.chatRequest(), done.response(), promptTokens)));
                    }
                    break;
                } else if (event instanceof StreamRelay.Failed failed) {
                    sendStreamError(out, failed.error());
                    break;
                }
            }
            sendDone(out);
        } catch (IOException e) {
            relay.clientGone();
            LOG.debug("Client left while streaming {}: {}", id, e.toString());
        }
    }

    private void completions(Context ctx) throws Exception {
        CompletionRequest request = CompletionRequest.fromJson(readJson(ctx), modelId);
        String model = resolveModel(request.model());
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        List<Integer> promptTokens = new ArrayList<>();
        for (int i = 0; i < request.prompts().size(); i++) {
            promptTokens.add(checkContextLength(request.chatRequest(i)));
        }
        if (!request.stream()) {
            // All prompts are queued together, so they share the pool with everyone else fairly.
            List<Future<ChatResponse>> futures = new ArrayList<>();
            for (int i = 0; i < request.prompts().size(); i++) {
                ChatRequest chatRequest = request.chatRequest(i);
                futures.add(pool.submit(() -> chatModel.chat(chatRequest)));
            }
            List<String> texts = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            OpenAiResponses.Usage total = new OpenAiResponses.Usage(0, 0);
            List<ChatResponse> responses = awaitAll(ctx, futures);
            for (int i = 0; i < futures.size(); i++) {
                ChatResponse response = responses.get(i);
                String text = response.aiMessage().text() == null ? "" : response.aiMessage().text();
                texts.add(request.echo() ? request.prompts().get(i) + text : text);
                reasons.add(OpenAiResponses.finishReason(response));
                total = total.plus(usage(request.chatRequest(i), response, promptTokens.get(i)));
            }
            sendJson(ctx, 200, OpenAiResponses.textCompletion(id, now, model, texts, reasons, total));
            return;
        }
        StreamRelay relay = new StreamRelay();
        ChatRequest chatRequest = request.chatRequest(0);
        pool.submit(() -> relay.run(chatModel, streamingModel, chatRequest));
        OutputStream out = startEventStream(ctx);
        try {
            if (request.echo()) {
                sendEvent(out, OpenAiResponses.textChunk(id, now, model, request.prompts().get(0), null));
            }
            while (true) {
                StreamRelay.Event event = relay.next();
                if (event instanceof StreamRelay.Token token) {
                    if (!token.text().isEmpty()) {
                        sendEvent(out, OpenAiResponses.textChunk(id, now, model, token.text(), null));
                    }
                } else if (event instanceof StreamRelay.Done done) {
                    sendEvent(out, OpenAiResponses.textChunk(id, now, model, "",
                            OpenAiResponses.finishReason(done.response())));
                    if (request.includeUsage()) {
                        sendEvent(out, OpenAiResponses.usageChunk(id, "text_completion", now, model,
                                usage(chatRequest, done.response(), promptTokens.get(0))));
                    }
                    break;
                } else if (event instanceof StreamRelay.Failed failed) {
                    sendStreamError(out, failed.error());
                    break;
                }
            }
            sendDone(out);
        } catch (IOException e) {
            relay.clientGone();
            LOG.debug("Client left while streaming {}: {}", id, e.toString());
        }
    }

    private void embeddings(Context ctx) throws Exception {
        EmbeddingRequest request = EmbeddingRequest.fromJson(readJson(ctx));
        if (embeddingModel == null) {
            throw OpenAiApiException.invalidRequest("This server has no embedding model; start it with one to use"
                    + " /v1/embeddings.", "model", "model_not_found");
        }
        String model = request.model() == null ? embeddingModelId : request.model();
        if (!model.equals(embeddingModelId)) {
            throw OpenAiApiException.modelNotFound(model, "embedding model '" + embeddingModelId + "'");
        }
        List<TextSegment> segments = request.inputs().stream().map(TextSegment::from).toList();
        Response<List<Embedding>> response = await(ctx, pool.submit(() -> embeddingModel.embedAll(segments)));
        ObjectNode body = OpenAiResponses.JSON.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        List<Embedding> embeddings = response.content();
        for (int i = 0; i < embeddings.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            float[] vector = embeddings.get(i).vector();
            if (request.base64()) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(vector);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) {
                    values.add(v);
                }
            }
        }
        body.put("model", model);
        TokenUsage tokens = response.tokenUsage();
        int prompt = tokens != null && tokens.inputTokenCount() != null ? tokens.inputTokenCount()
                : request.inputs().stream().mapToInt(this::estimateText).sum();
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("total_tokens", prompt);
        sendJson(ctx, 200, body);
    }

    private void health(Context ctx) {
        ObjectNode body = OpenAiResponses.JSON.createObjectNode();
        body.put("status", draining ? "shutting_down" : "ok");
        body.put("model", modelId);
        body.put("workers", pool.workers());
        body.put("active", pool.active());
        body.put("queued", pool.queued());
        body.put("queue_capacity", pool.queueCapacity());
        body.put("scheduler", schedulerStats == null ? "workers" : "batch");
        if (schedulerStats != null) {
            SchedulerStats stats = schedulerStats.get();
            ObjectNode batch = body.putObject("batch");
            batch.put("size", stats.batchSize());
            batch.put("max_size", stats.maxBatchSize());
            batch.put("waiting", stats.waiting());
            batch.put("tokens_per_second", Math.round(stats.tokensPerSecond() * 10) / 10.0);
            batch.put("kv_cache_bytes", stats.kvCacheBytes());
            batch.put("kv_cache_budget_bytes", stats.kvCacheBudget());
            batch.put("generated_tokens", stats.generatedTokens());
            batch.put("completed", stats.completed());
        }
        ctx.status(draining ? 503 : 200).json(body);
    }

    private ObjectNode models() {
        ObjectNode body = OpenAiResponses.JSON.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        data.add(modelCard(modelId));
        if (embeddingModel != null) {
            data.add(modelCard(embeddingModelId));
        }
        return body;
    }

    private void model(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.equals(modelId) && !(embeddingModel != null && id.equals(embeddingModelId))) {
            throw OpenAiApiException.modelNotFound(id, "'" + modelId + "'");
        }
        ctx.json(modelCard(id));
    }

    private ObjectNode modelCard(String id) {
        ObjectNode card = OpenAiResponses.JSON.createObjectNode();
        card.put("id", id);
        card.put("object", "model");
        card.put("created", created);
        card.put("owned_by", "trellis");
        if (id.equals(modelId) && contextLength > 0) {
            card.put("max_model_len", contextLength);
        }
        return card;
    }

    private void page(Context ctx, String name) throws IOException {
        if (!name.matches("[a-z0-9-]+\\.(html|js|css)")) {
            throw new io.javalin.http.NotFoundResponse();
        }
        try (InputStream in = ModelServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new io.javalin.http.NotFoundResponse();
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }

    private void lossPng(Context ctx) throws IOException {
        Path png = dashboard.lossPng();
        if (png == null) {
            throw new OpenAiApiException(404, "invalid_request_error", "The checkpoint has no "
                    + CheckpointDashboard.LOSS_PNG + " (the trainer writes it when it finishes).", null, "not_found");
        }
        ctx.contentType("image/png").header("Cache-Control", "no-cache").result(Files.readAllBytes(png));
    }

    // --- plumbing ----------------------------------------------------------------------------

    /** Public pages and the health check are open; the API and the dashboard data need the key. */
    private void authorize(Context ctx) {
        String path = ctx.path();
        // CORS preflights carry no credentials by design; the request that follows does.
        if (apiKey == null || ctx.method() == io.javalin.http.HandlerType.OPTIONS
                || !(path.startsWith("/v1/") || path.startsWith("/api/"))) {
            return;
        }
        if (!apiKey.matchesAuthorization(ctx.header("Authorization"))) {
            throw OpenAiApiException.invalidApiKey(ctx.header("Authorization") == null
                    ? "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'."
                    : "Incorrect API key provided. Use the key the server was started with (--api-key or TRELLIS_API_KEY).");
        }
    }

    /** Counts the request as in flight (so shutdown waits for it) and refuses new ones while draining. */
    private Handler tracked(Handler handler) {
        return ctx -> {
            inFlight.incrementAndGet();
            try {
                if (draining) {
                    throw OpenAiApiException.shuttingDown();
                }
                handler.handle(ctx);
            } catch (OpenAiApiException e) {
                writeError(ctx, e);
            } finally {
                // Everything is on the wire before the request stops counting: shutdown may close the socket next.
                flush(ctx);
                if (inFlight.decrementAndGet() == 0) {
                    synchronized (drained) {
                        drained.notifyAll();
                    }
                }
            }
        };
    }

    /** Writes a JSON body now, rather than after the handler returns as {@code ctx.json} would. */
    private static void sendJson(Context ctx, int status, JsonNode body) throws IOException {
        byte[] bytes = OpenAiResponses.JSON.writeValueAsBytes(body);
        ctx.status(status);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(bytes.length);
        OutputStream out = ctx.res().getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static void flush(Context ctx) {
        try {
            if (ctx.result() == null) {
                ctx.res().flushBuffer();
            }
        } catch (IOException e) {
            LOG.debug("Client left before the response was flushed: {}", e.toString());
        }
    }

    private JsonNode readJson(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw OpenAiApiException.bodyTooLarge(maxBodyBytes);
        }
        // A slow client holds a thread while its body trickles in: bound how many may, and for how long.
        if (!bodyReaders.tryAcquire()) {
            throw OpenAiApiException.tooManyUploads(maxBodyReaders);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        EndPoint endPoint = endPoint(ctx);
        long idleTimeout = endPoint == null ? 0 : endPoint.getIdleTimeout();
        long deadline = System.nanoTime() + bodyTimeout.toNanos();
        try (InputStream in = ctx.req().getInputStream()) {
            // Read with a cap: a chunked body declares no length.
            byte[] buffer = new byte[8192];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw OpenAiApiException.bodyTimeout(bodyTimeout);
                }
                if (endPoint != null) {
                    endPoint.setIdleTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    if (System.nanoTime() - deadline >= 0 || e.getCause() instanceof java.util.concurrent.TimeoutException) {
                        throw OpenAiApiException.bodyTimeout(bodyTimeout);
                    }
                    throw e;
                }
                if (n == -1) {
                    break;
                }
                if (body.size() + n > maxBodyBytes) {
                    throw OpenAiApiException.bodyTooLarge(maxBodyBytes);
                }
                body.write(buffer, 0, n);
            }
        } finally {
            bodyReaders.release();
            if (endPoint != null) {
                endPoint.setIdleTimeout(idleTimeout);
            }
        }
        if (body.size() == 0) {
            throw OpenAiApiException.invalidRequest("The request body is empty; send a JSON object with"
                    + " Content-Type: application/json.", null, "invalid_json");
        }
        try {
            return OpenAiResponses.JSON.readTree(body.toByteArray());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw OpenAiApiException.invalidRequest("We could not parse the JSON body of your request" + where + ": "
                    + e.getOriginalMessage() + ". Send a valid JSON object.", null, "invalid_json");
        }
    }

    private static EndPoint endPoint(Context ctx) {
        Request request = Request.getBaseRequest(ctx.req());
        return request == null || request.getHttpChannel() == null ? null : request.getHttpChannel().getEndPoint();
    }

    private String resolveModel(String requested) {
        if (requested == null || requested.equals(modelId)) {
            return modelId;
        }
        throw OpenAiApiException.modelNotFound(requested, "'" + modelId + "'");
    }

    /** The prompt's token count (0 when unknown); a 400 when prompt plus max_tokens exceed the context. */
    private int checkContextLength(ChatRequest request) {
        if (tokenCountEstimator == null) {
            return 0;
        }
        int prompt = tokenCountEstimator.estimateTokenCountInMessages(request.messages());
        if (contextLength <= 0) {
            return prompt;
        }
        Integer maxTokens = request.maxOutputTokens();
        int wanted = prompt + (maxTokens == null ? 0 : maxTokens);
        if (prompt >= contextLength || wanted > contextLength) {
            throw OpenAiApiException.invalidRequest("This model's maximum context length is " + contextLength
                    + " tokens. However, you requested " + wanted + " tokens (" + prompt + " in the messages, "
                    + (maxTokens == null ? 0 : maxTokens) + " in the completion). Please reduce the length of the"
                    + " messages or completion.", "messages", "context_length_exceeded");
        }
        return prompt;
    }

    private OpenAiResponses.Usage usage(ChatRequest request, ChatResponse response, int promptEstimate) {
        TokenUsage reported = response.tokenUsage();
        int prompt = reported != null && reported.inputTokenCount() != null ? reported.inputTokenCount()
                : promptEstimate;
        int completion;
        if (reported != null && reported.outputTokenCount() != null) {
            completion = reported.outputTokenCount();
        } else {
            completion = estimateText(response.aiMessage().text());
        }
        return new OpenAiResponses.Usage(prompt, completion);
    }

    private int estimateText(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        if (tokenCountEstimator != null) {
            return tokenCountEstimator.estimateTokenCountInText(text);
        }
        // No tokenizer given: count words, the usual rough lower bound.
        return text.strip().split("\\s+").length;
    }

    private static <T> T await(Context ctx, Future<T> future) throws InterruptedException {
        return awaitAll(ctx, List.of(future)).get(0);
    }

    /**
     * Waits for a non-streamed request's work, cancelling all of it when the client hangs up meanwhile, as
     * vLLM aborts such a request: a generation nobody will read would hold its place in the batch (or a
     * worker) to the end. A stream notices the hang-up when a write fails; here the connection is checked
     * every {@link #HANG_UP_CHECK_MILLIS} ms.
     */
    private static <T> List<T> awaitAll(Context ctx, List<Future<T>> futures) throws InterruptedException {
        EndPoint endPoint = endPoint(ctx);
        List<T> out = new ArrayList<>(futures.size());
        try {
            for (Future<T> future : futures) {
                while (true) {
                    try {
                        out.add(future.get(HANG_UP_CHECK_MILLIS, TimeUnit.MILLISECONDS));
                        break;
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        if (endPoint != null && peerClosed(ctx, endPoint)) {
                            futures.forEach(f -> f.cancel(true));
                            throw new ClientGoneException();
                        }
                    }
                }
            }
            return out;
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw translate(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    private static final long HANG_UP_CHECK_MILLIS = 100;

    /**
     * Whether the client closed its side: a non-blocking one-byte read of the connection returns end of
     * stream. An HTTP/1.1 client sends nothing more before its response arrives (no client in use pipelines),
     * so the read finds nothing to take; should it ever take a byte, the connection is closed after the
     * response, as a pipelined request could no longer be parsed.
     */
    private static boolean peerClosed(Context ctx, EndPoint endPoint) {
        if (!endPoint.isOpen() || endPoint.isInputShutdown()) {
            return true;
        }
        try {
            ByteBuffer probe = ByteBuffer.allocate(1);
            probe.flip(); // Jetty's fill() takes a buffer in flush mode
            int read = endPoint.fill(probe);
            if (read > 0) {
                ctx.header("Connection", "close"); // the byte taken belonged to a next request
            }
            return read < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** The client of a non-streamed request went away before its answer; nothing is written. */
    static final class ClientGoneException extends RuntimeException {
        ClientGoneException() {
            super("the client closed the connection before its answer was ready; the work was cancelled", null, false, false);
        }
    }

    private static OpenAiApiException translate(Throwable error) {
        if (error instanceof OpenAiApiException api) {
            return api;
        }
        if (error instanceof UnsupportedFeatureException || error instanceof InvalidRequestException
                || error instanceof IllegalArgumentException) {
            return OpenAiApiException.invalidRequest("The model cannot answer this request: " + error.getMessage(), null,
                    "unsupported_request");
        }
        LOG.error("Model failed", error);
        return OpenAiApiException.modelFailure(error);
    }

    private static OutputStream startEventStream(Context ctx) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        out.flush();
        return out;
    }

    private static void sendEvent(OutputStream out, JsonNode data) throws IOException {
        out.write(("data: " + OpenAiResponses.JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendStreamError(OutputStream out, Throwable error) throws IOException {
        OpenAiApiException api = translate(error);
        sendEvent(out, OpenAiResponses.error(api));
    }

    private static void sendDone(OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void writeError(Context ctx, OpenAiApiException e) {
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        if (ctx.res().isCommitted()) {
            // A stream already started: the error can only go out as an event, which the handler did.
            LOG.warn("Error after the response was committed: {}", e.getMessage());
            return;
        }
        try {
            sendJson(ctx, e.status(), OpenAiResponses.error(e));
        } catch (IOException io) {
            LOG.debug("Client left before its error was sent: {}", io.toString());
        }
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required and must not be blank");
        }
        return value;
    }

    /** Configuration of a {@link ModelServer}; only {@link #chatModel} and {@link #modelId} are required. */
    public static final class Builder {
        private ChatModel chatModel;
        private StreamingChatModel streamingModel;
        private String modelId;
        private EmbeddingModel embeddingModel;
        private String embeddingModelId = "all-minilm-l6-v2";
        private TokenCountEstimator tokenCountEstimator;
        private int contextLength;
        private String host = "127.0.0.1";
        private int port = 8000;
        private String apiKey;
        private int workers = 1;
        private int queueCapacity = 64;
        private long maxBodyBytes = 1 << 20;
        private Duration bodyTimeout = Duration.ofSeconds(10);
        private int maxBodyReaders = 32;
        private int maxConnections = 512;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Path checkpointDir;
        private List<String> allowedOrigins = List.of();
        private Supplier<SchedulerStats> schedulerStats;

        private Builder() {
        }

        /**
         * The live figures of a model that batches concurrent requests (e.g. {@code LocalChatModel} with
         * batching on), shown by {@code /health} and the dashboard. Give such a model as many
         * {@link #workers} as its batch holds, so that many requests can be inside it at once.
         */
        public Builder schedulerStats(Supplier<SchedulerStats> schedulerStats) {
            this.schedulerStats = schedulerStats;
            return this;
        }

        /** The model that answers; when it also implements {@link StreamingChatModel} it streams too. */
        public Builder chatModel(ChatModel chatModel) {
            this.chatModel = chatModel;
            return this;
        }

        /** A separate streaming model; without one, streams carry the blocking answer as one piece. */
        public Builder streamingChatModel(StreamingChatModel streamingModel) {
            this.streamingModel = streamingModel;
            return this;
        }

        /** The name clients put in {@code model} and see in {@code /v1/models}. */
        public Builder modelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Serves {@code /v1/embeddings} with this model under {@code id}. */
        public Builder embeddingModel(String id, EmbeddingModel embeddingModel) {
            this.embeddingModelId = requireText(id, "embedding model id");
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Counts prompt tokens for usage and the context-length check (the model's own tokenizer). */
        public Builder tokenCountEstimator(TokenCountEstimator tokenCountEstimator) {
            this.tokenCountEstimator = tokenCountEstimator;
            return this;
        }

        /** Prompts (plus max_tokens) longer than this are refused with 400 context_length_exceeded. */
        public Builder contextLength(int contextLength) {
            this.contextLength = contextLength;
            return this;
        }

        /** The address to bind; loopback by default. Others need an {@link #apiKey}. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port; 0 picks a free one. Default 8000. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Requires {@code Authorization: Bearer KEY} on the API; null or blank serves without a key. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
            return this;
        }

        /** Threads generating at once. Default 1: one forward pass at a time uses all cores already. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Requests that may wait for a worker; more are refused with 429. Default 64. */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** Bodies above this many bytes are refused with 413. Default 1 MiB. */
        public Builder maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024, got " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * How long a request body may take to arrive, from the first read to the last byte; a slower one is
         * answered 408. Default 10 s.
         */
        public Builder bodyTimeout(Duration bodyTimeout) {
            if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
                throw new IllegalArgumentException("bodyTimeout must be positive, got " + bodyTimeout);
            }
            this.bodyTimeout = bodyTimeout;
            return this;
        }

        /**
         * How many request bodies may be arriving at once; one more is answered 503 with {@code Retry-After}
         * rather than holding a thread. Default 32.
         */
        public Builder maxBodyReaders(int maxBodyReaders) {
            if (maxBodyReaders < 1) {
                throw new IllegalArgumentException("maxBodyReaders must be at least 1, got " + maxBodyReaders);
            }
            this.maxBodyReaders = maxBodyReaders;
            return this;
        }

        /** Open connections the server accepts; more wait in the operating system's queue. Default 512. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** How long {@link ModelServer#close()} lets requests in flight finish. Default 30 s. */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        /** The checkpoint directory the dashboard page describes; optional. */
        public Builder checkpointDir(Path checkpointDir) {
            this.checkpointDir = checkpointDir;
            return this;
        }

        /**
         * Origins whose browser pages may call the API (CORS), e.g. {@code http://localhost:3000};
         * {@code *} allows any. None by default: the playground is served from the same origin.
         */
        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = List.copyOf(allowedOrigins);
            return this;
        }

        public ModelServer build() {
            return new ModelServer(this);
        }
    }
}
