package dev.trellis.samples;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.generate.BatchLimits;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.serve.ModelServer;
import dev.trellis.retrieval.embeddings.BatchedEmbeddingModel;
import dev.trellis.retrieval.embeddings.MiniLmModel;
import dev.trellis.retrieval.embeddings.TextTooLongException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code trellis serve --model DIR}: a finetuned checkpoint behind an OpenAI-compatible API (chat and
 * text completions, streaming, tools, JSON schemas; embeddings from the in-process MiniLM), with a
 * chat playground at {@code /} and the training dashboard at {@code /dashboard}. Point any OpenAI
 * client, or Trellis itself ({@code OPENAI_BASE_URL=http://127.0.0.1:8000/v1}), at it. Concurrent
 * requests are continuously batched by default ({@code --scheduler batch}, bounded by
 * {@code --max-batch} and {@code --kv-cache-memory}); {@code --scheduler workers --workers N} runs one
 * request per worker thread instead.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a checkpoint over an OpenAI-compatible API, with a chat playground and a training dashboard.")
public final class ServeCommand implements Callable<Integer> {

    static final String API_KEY_VARIABLE = "TRELLIS_API_KEY";

    @Option(names = "--model", required = true, description = "Checkpoint directory (config.json, model.safetensors, tokenizer.json, trellis.json).")
    Path model;
    @Option(names = "--model-id", description = "Name clients use in 'model' (default: the directory's name).")
    String modelId;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}); any other than loopback needs an API key.")
    String host;
    @Option(names = "--port", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;
    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' (default: $" + API_KEY_VARIABLE + ", else none).")
    String apiKey;
    /** How requests share the model. */
    enum Scheduler { batch, workers }

    @Option(names = "--scheduler", description = "batch: continuous batching, concurrent requests decode together in one loop;"
            + " workers: one request per worker thread at a time (default: batch, or workers when --workers is given).")
    Scheduler scheduler;
    @Option(names = "--workers", description = "With --scheduler workers: requests generated at once (default: 1).")
    Integer workers;
    @Option(names = {"--max-batch", "--max-num-seqs"}, description = "With --scheduler batch: sequences decoded together"
            + " (default: from the model's size and the machine's memory, at most " + BatchLimits.DEFAULT_MAX_BATCH_SIZE + ").")
    Integer maxBatch;
    @Option(names = "--kv-cache-memory", paramLabel = "SIZE", description = "With --scheduler batch: memory the batch's KV cache"
            + " may take, e.g. 512m or 2g (default: a quarter of the physical memory the weights leave).")
    String kvCacheMemory;
    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait; beyond that clients get 429 (default: ${DEFAULT-VALUE}).")
    int queue;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;
    @Option(names = "--body-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time a request body may take to arrive; a slower one gets 408 (default: ${DEFAULT-VALUE}).")
    double bodyTimeoutSeconds;
    @Option(names = "--max-connections", defaultValue = "512",
            description = "Open connections accepted at once; more wait to be accepted (default: ${DEFAULT-VALUE}).")
    int maxConnections;
    @Option(names = "--max-tokens", defaultValue = "256", description = "Tokens generated when a request sets no max_tokens (default: ${DEFAULT-VALUE}).")
    int defaultMaxTokens;
    @Option(names = "--allowed-origin", description = "Browser origin allowed to call the API (CORS); repeatable, '*' for any.")
    List<String> allowedOrigins = List.of();
    @Option(names = "--quantize", paramLabel = "none|int8", defaultValue = "none",
            description = "Weights: int8 (llama.cpp's Q8_0 layout; experimental; decodes about 2x faster than float32 on a CPU, prefill the same: see the README); default ${DEFAULT-VALUE} (float32).")
    String quantize;
    @Option(names = "--no-embeddings", description = "Do not load MiniLM; /v1/embeddings answers 400.")
    boolean noEmbeddings;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model " + model + " is not a directory; pass a checkpoint directory"
                    + " written by the Trellis trainer (config.json, model.safetensors, tokenizer.json, trellis.json)");
        }
        if (!(bodyTimeoutSeconds > 0)) {
            throw new UserError("--body-timeout " + bodyTimeoutSeconds + ": give a positive number of seconds");
        }
        if (maxConnections < 1) {
            throw new UserError("--max-connections " + maxConnections + ": give a positive number");
        }
        Scheduler mode = scheduler != null ? scheduler : workers != null ? Scheduler.workers : Scheduler.batch;
        if (mode == Scheduler.batch && workers != null) {
            throw new UserError("--workers " + workers + " applies to --scheduler workers; with --scheduler batch set"
                    + " --max-batch instead");
        }
        if (mode == Scheduler.workers && (maxBatch != null || kvCacheMemory != null)) {
            throw new UserError((maxBatch != null ? "--max-batch" : "--kv-cache-memory") + " applies to --scheduler batch;"
                    + " drop it or use --scheduler batch");
        }
        if (workers != null && workers < 1) {
            throw new UserError("--workers " + workers + ": give a positive number");
        }
        if (maxBatch != null && maxBatch < 1) {
            throw new UserError("--max-batch " + maxBatch + ": give a positive number");
        }
        Quantization quantization = Quantization.parse(quantize, "--quantize");
        Long kvBytes = kvCacheMemory == null ? null : ByteSize.parse(kvCacheMemory, "--kv-cache-memory");
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_VARIABLE);
        String id = modelId != null ? modelId : model.toAbsolutePath().normalize().getFileName().toString();
        int context = ModelConfig.read(model.resolve("config.json")).maxPositionEmbeddings();
        try (LocalChatModel chat = localModel(id, mode, kvBytes, quantization);
             BatchedEmbeddingModel minilm = noEmbeddings ? null : BatchedEmbeddingModel.builder().failOnTruncation(true).build()) {
            ModelServer.Builder builder = ModelServer.builder()
                    .chatModel(chat).modelId(id)
                    .tokenCountEstimator(chat.tokenCountEstimator()).contextLength(context)
                    .checkpointDir(model)
                    .host(host).port(port).apiKey(key)
                    .queueCapacity(queue).maxBodyBytes(maxBodyBytes)
                    .bodyTimeout(Duration.ofMillis((long) (bodyTimeoutSeconds * 1000))).maxConnections(maxConnections)
                    .allowedOrigins(allowedOrigins)
                    .shutdownGrace(Duration.ofSeconds(30));
            if (mode == Scheduler.batch) {
                // as many requests inside the model as its batch holds; the queue is the waiting line
                BatchLimits limits = chat.schedulerStats().map(st -> new BatchLimits(st.maxBatchSize(), st.kvCacheBudget()))
                        .orElseThrow();
                builder.workers(limits.maxBatchSize()).schedulerStats(() -> chat.schedulerStats().orElseThrow());
                System.out.printf("Continuous batching: up to %d sequences, KV cache up to %s%n", limits.maxBatchSize(),
                        ByteSize.format(limits.kvCacheBytes()));
            } else {
                builder.workers(workers == null ? 1 : workers);
            }
            if (minilm != null) {
                builder.embeddingModel(MiniLmModel.ALL_MINILM_L6_V2.modelName(), new RefusingTruncation(minilm));
            }
            ModelServer server = builder.build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "trellis-serve-shutdown"));
            String root = server.baseUrl().substring(0, server.baseUrl().length() - "/v1".length());
            System.out.printf("Serving '%s' (context %d tokens" + (quantization == Quantization.NONE ? "" : ", "
                            + quantization.flagValue() + " weights") + ")%n  API:        %s%n  Playground: %s/%n  Dashboard:  %s/dashboard%n"
                            + "  Try: OPENAI_BASE_URL=%s TRELLIS_MODEL=%s trellis ...%nCtrl+C stops after requests in flight finish.%n",
                    id, context, server.baseUrl(), root, root, server.baseUrl(), id);
            server.awaitShutdown();
        }
        return 0;
    }

    /** The served model: batching across requests, or one request at a time per worker. */
    private LocalChatModel localModel(String id, Scheduler mode, Long kvBytes, Quantization quantization) {
        LocalChatModel.Builder b = LocalChatModel.builder().checkpoint(model).modelName(id).defaultMaxTokens(defaultMaxTokens)
                .quantize(quantization);
        if (mode == Scheduler.workers) {
            return b.build();
        }
        return b.batching(maxBatch, kvBytes).build();
    }

    /** MiniLM reads 128 tokens; a longer input is the client's error (400), as with OpenAI, not a silent cut. */
    private record RefusingTruncation(EmbeddingModel delegate) implements EmbeddingModel {
        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            try {
                return delegate.embedAll(segments);
            } catch (TextTooLongException e) {
                throw new InvalidRequestException(e.getMessage(), e);
            }
        }

        @Override
        public int dimension() {
            return delegate.dimension();
        }

        @Override
        public String modelName() {
            return delegate.modelName();
        }
    }
}
