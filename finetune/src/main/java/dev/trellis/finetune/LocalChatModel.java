package dev.trellis.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.trellis.finetune.generate.BatchLimits;
import dev.trellis.finetune.generate.BatchScheduler;
import dev.trellis.finetune.generate.GenerationConfig;
import dev.trellis.finetune.generate.SchedulerStats;
import dev.trellis.finetune.generate.TokenStreamListener;
import dev.trellis.finetune.generate.SpanConstraint;
import dev.trellis.finetune.generate.GenerationException;
import dev.trellis.finetune.generate.GenerationResult;
import dev.trellis.finetune.generate.Generator;
import dev.trellis.finetune.generate.JsonConstraint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.finetune.model.CheckpointException;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.tokenizer.TokenizerTokenCountEstimator;

/**
 * A langchain4j {@link ChatModel} and {@link StreamingChatModel} over a local checkpoint directory
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, and {@code trellis.json}
 * with the prompt template the model was trained with), so a finetuned model plugs into every
 * chain, memory and agent.
 *
 * <pre>{@code
 * try (LocalChatModel model = LocalChatModel.builder().checkpoint(Path.of("checkpoints/latest")).build()) {
 *     String answer = model.chat("What does the Trail Shell cost?");
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Messages are rendered as {@link LocalChatPrompt} documents (system, history and the user's
 *       message in the template's question slot).</li>
 *   <li>Request parameters honoured: temperature (0, the default, is greedy), topP, topK,
 *       maxOutputTokens, stopSequences, OpenAI-style {@code seed}, and vLLM's {@code ignore_eos} (a custom
 *       parameter of {@code OpenAiChatRequestParameters}). Frequency and presence
 *       penalties are refused ({@link UnsupportedFeatureException}); set
 *       {@link Builder#repetitionPenalty(double)} instead.</li>
 *   <li>{@link ResponseFormat#JSON}: without a schema the answer is any JSON object, with one it
 *       follows the schema; both by constrained decoding, so the answer always parses.</li>
 *   <li>Tools: the answer is constrained to either {@code {"answer": "..."}} or
 *       {@code {"tool": "<name>", "arguments": {...}}} with that tool's parameter schema (only the
 *       latter with {@link ToolChoice#REQUIRED}); a call comes back as an {@link AiMessage} with a
 *       {@link ToolExecutionRequest}. When maxOutputTokens is too small for even the shortest choice,
 *       the reply is the text of the first maxOutputTokens tokens with finish reason {@code LENGTH},
 *       and no tool call.</li>
 *   <li>The model is a langchain4j {@link TokenCountEstimator}: it counts with its own tokenizer,
 *       rendering each message as its prompt line ({@link #tokenCountEstimator()}), so
 *       {@code ConversationTokenBufferMemory} and the summary memories, given this model, trim by
 *       real tokens without further setup.</li>
 * </ul>
 *
 * <p>Thread-safe: requests are served one at a time (a fair lock around the model); concurrent
 * callers wait, unless {@link Builder#batching(boolean)} is on, in which case concurrent requests
 * decode together in one continuously batched loop. Streaming calls the handler before returning (from
 * the caller's thread, or the scheduler's when batching).
 * Close the model to free its native memory.
 */
public final class LocalChatModel implements ChatModel, StreamingChatModel, TokenCountEstimator, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path checkpoint;
    private final CausalLM model;
    private final HfTokenizer tokenizer;
    private final TrellisManifest manifest;
    private final LocalChatPrompt prompt;
    private final Generator generator;
    private final int defaultMaxTokens;
    private final double repetitionPenalty;
    private final List<String> groundedFixedAnswers;
    private final List<String> groundedSpanPrefixes;
    private final Long defaultSeed;
    private final ChatRequestParameters defaultParameters;
    private final TokenizerTokenCountEstimator tokenCounter;
    private final String modelName;
    private final List<ChatModelListener> listeners;
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Continuous batching across concurrent callers; null serves one request at a time under the lock. */
    private final BatchScheduler scheduler;
    private final AtomicLong calls = new AtomicLong();

    private LocalChatModel(Builder b) {
        this.checkpoint = Objects.requireNonNull(b.checkpoint, "LocalChatModel needs checkpoint(dir)");
        for (String f : List.of("config.json", "tokenizer.json")) {
            if (!Files.isRegularFile(checkpoint.resolve(f))) {
                throw new CheckpointException(checkpoint + " has no " + f + "; a LocalChatModel checkpoint holds config.json, "
                        + "model.safetensors, tokenizer.json and trellis.json (train one with the Trellis trainer)");
            }
        }
        this.manifest = TrellisManifest.read(checkpoint);
        this.tokenizer = HfTokenizer.load(checkpoint);
        try {
            this.model = CausalLM.load(checkpoint, b.device == null ? Engine.getInstance().defaultDevice() : b.device,
                    b.quantization);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        this.prompt = new LocalChatPrompt(manifest.template());
        this.generator = new Generator(model, tokenizer);
        this.tokenCounter = TokenizerTokenCountEstimator.builder().tokenizer(tokenizer)
                .renderer(LocalChatPrompt::renderMessage).perMessageOverhead(1).build();
        this.defaultMaxTokens = b.defaultMaxTokens;
        this.repetitionPenalty = b.repetitionPenalty;
        this.groundedFixedAnswers = b.groundedFixedAnswers;
        this.groundedSpanPrefixes = b.groundedSpanPrefixes;
        this.defaultSeed = b.seed;
        this.listeners = List.copyOf(b.listeners);
        this.modelName = b.modelName != null ? b.modelName : checkpoint.getFileName() == null ? checkpoint.toString()
                : checkpoint.getFileName().toString();
        this.defaultParameters = ChatRequestParameters.builder()
                .modelName(modelName)
                .temperature(b.temperature)
                .maxOutputTokens(b.defaultMaxTokens)
                .responseFormat(b.responseFormat)
                .build();
        this.scheduler = b.batching ? new BatchScheduler(generator, b.batchLimits(model)) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The checkpoint directory this model was loaded from. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** What the checkpoint's {@code trellis.json} records (template, base, provenance). */
    public TrellisManifest manifest() {
        return manifest;
    }

    /** The prompt renderer (the template recorded at training time). */
    public LocalChatPrompt prompt() {
        return prompt;
    }

    /** Counts tokens exactly as this model sees them: each message as its prompt line, plus its line break. */
    public TokenizerTokenCountEstimator tokenCountEstimator() {
        return tokenCounter;
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return tokenCounter.estimateTokenCountInText(text);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return tokenCounter.estimateTokenCountInMessage(message);
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        return tokenCounter.estimateTokenCountInMessages(messages);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaultParameters;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return run(request, null);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatResponse response;
        try {
            response = run(request, handler);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(response);
    }

    private ChatResponse run(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatRequestParameters p = request.parameters();
        if (nonZero(p.frequencyPenalty()) || nonZero(p.presencePenalty())) {
            throw new UnsupportedFeatureException("LocalChatModel does not support frequency/presence penalties (got "
                    + p.frequencyPenalty() + "/" + p.presencePenalty() + "); use LocalChatModel.builder().repetitionPenalty(...)");
        }
        List<ToolSpecification> tools = p.toolSpecifications() == null ? List.of() : p.toolSpecifications();
        boolean toolMode = !tools.isEmpty() && p.toolChoice() != ToolChoice.NONE;
        if (!toolMode && p.toolChoice() == ToolChoice.REQUIRED) {
            throw new IllegalArgumentException("toolChoice REQUIRED but the request offers no tool specifications");
        }
        String text = prompt.render(request.messages(), toolMode ? tools : List.of());
        int[] ids = tokenizer.encode(text);

        GenerationConfig.Builder config = GenerationConfig.builder();
        int context = model.config().maxPositionEmbeddings();
        int wanted = p.maxOutputTokens() != null ? p.maxOutputTokens() : defaultMaxTokens;
        int room = context - ids.length;
        if (room < 1) {
            throw new GenerationException("the rendered prompt is " + ids.length + " tokens but " + modelName
                    + " has a context of " + context + "; shorten the conversation (e.g. ConversationTokenBufferMemory"
                    + " with this model's tokenCountEstimator())");
        }
        int limit = Math.min(wanted, room);
        config.maxNewTokens(limit);
        config.temperature(p.temperature() == null ? 0 : p.temperature());
        if (p.topP() != null) {
            config.topP(p.topP());
        }
        if (p.topK() != null) {
            config.topK(p.topK());
        }
        // the caller's stop sequences, plus the template's own headers: a reply never runs on into a new example
        java.util.LinkedHashSet<String> stops = new java.util.LinkedHashSet<>(manifest.template().markers());
        if (p.stopSequences() != null) {
            stops.addAll(p.stopSequences());
        }
        config.stopSequences(List.copyOf(stops));
        config.repetitionPenalty(repetitionPenalty);
        Long seed = p instanceof OpenAiChatRequestParameters o && o.seed() != null ? Long.valueOf(o.seed()) : defaultSeed;
        if (p instanceof OpenAiChatRequestParameters o && o.customParameters() != null
                && Boolean.TRUE.equals(o.customParameters().get("ignore_eos"))) {
            config.stopAtEos(false); // vLLM's ignore_eos, as trellis serve passes it on
        }
        if (seed != null) {
            config.seed(seed);
        }
        if (toolMode) {
            config.jsonConstraint(toolChoice(tools, p.toolChoice() != ToolChoice.REQUIRED));
        } else if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            var schema = p.responseFormat().jsonSchema();
            config.jsonConstraint(schema == null ? JsonConstraint.anyObject() : JsonConstraint.of(schema.rootElement()));
        } else if (groundedFixedAnswers != null) {
            config.spanConstraint(new SpanConstraint(groundingSource(request.messages()), groundedFixedAnswers,
                    groundedSpanPrefixes));
        }

        boolean stream = handler != null && !toolMode;
        TokenStreamListener listener = stream ? (i, delta) -> handler.onPartialResponse(delta) : null;
        GenerationResult result;
        if (scheduler != null) {
            result = awaitBatched(scheduler.submit(ids, config.build(), listener));
        } else {
            lock.lock();
            try {
                result = generator.generateIds(List.of(ids), config.build(), listener).get(0);
            } finally {
                lock.unlock();
            }
        }
        ChatResponse.Builder response = ChatResponse.builder()
                .id("local-" + calls.incrementAndGet())
                .modelName(modelName);
        if (toolMode && result.generatedTokens() > limit) {
            // The budget was too small for the shortest choice: closing the JSON ran past max_tokens. Answer
            // like OpenAI does at the limit: the text of the first max_tokens tokens, finish reason "length",
            // and no tool call made of arguments the model never chose.
            int[] kept = Arrays.copyOf(result.tokenIds(), limit);
            return response.tokenUsage(new TokenUsage(result.promptTokens(), kept.length))
                    .aiMessage(AiMessage.from(tokenizer.decode(kept))).finishReason(FinishReason.LENGTH).build();
        }
        response.tokenUsage(new TokenUsage(result.promptTokens(), result.generatedTokens()));
        if (toolMode) {
            return toolResponse(result.text(), response);
        }
        FinishReason reason = switch (result.finishReason()) {
            case STOP, STOP_SEQUENCE -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
        };
        // cut at the next template header: the blank line that led into it is not part of the answer
        boolean cutAtHeader = result.finishReason() == dev.trellis.finetune.generate.FinishReason.STOP_SEQUENCE
                && (p.stopSequences() == null || p.stopSequences().isEmpty());
        String answer = cutAtHeader ? result.text().stripTrailing() : result.text();
        return response.aiMessage(AiMessage.from(answer)).finishReason(reason).build();
    }

    /** Waits for a batched generation; an interrupted caller cancels it, which frees its place in the batch. */
    private static GenerationResult awaitBatched(CompletableFuture<GenerationResult> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new GenerationException("interrupted while generating; the request was cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new GenerationException("generation failed: " + e.getCause());
        }
    }

    /** The batch scheduler's live figures, when this model batches concurrent requests ({@link Builder#batching}). */
    public Optional<SchedulerStats> schedulerStats() {
        return scheduler == null ? Optional.empty() : Optional.of(scheduler.stats());
    }

    private static boolean nonZero(Double d) {
        return d != null && d != 0.0;
    }

    /** {"answer": string} or {"tool": name, "arguments": parameters} for each tool. */
    static JsonConstraint toolChoice(List<ToolSpecification> tools, boolean allowAnswer) {
        List<JsonConstraint> alternatives = new ArrayList<>();
        for (ToolSpecification t : tools) {
            JsonConstraint args = t.parameters() == null || t.parameters().properties() == null
                    || t.parameters().properties().isEmpty() ? JsonConstraint.emptyObject() : JsonConstraint.of(t.parameters());
            Map<String, JsonConstraint> props = new LinkedHashMap<>();
            props.put("tool", JsonConstraint.constant(t.name()));
            props.put("arguments", args);
            alternatives.add(JsonConstraint.object(props, List.of("tool", "arguments")));
        }
        if (allowAnswer) {
            alternatives.add(JsonConstraint.object(Map.of("answer", JsonConstraint.string()), List.of("answer")));
        }
        return JsonConstraint.anyOf(alternatives);
    }

    private ChatResponse toolResponse(String text, ChatResponse.Builder response) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("internal: constrained tool-choice output is not JSON: " + text, e);
        }
        if (node.has("tool")) {
            ToolExecutionRequest call = ToolExecutionRequest.builder()
                    .id("call_" + calls.get())
                    .name(node.get("tool").asText())
                    .arguments(node.get("arguments").toString())
                    .build();
            return response.aiMessage(AiMessage.from(List.of(call))).finishReason(FinishReason.TOOL_EXECUTION).build();
        }
        return response.aiMessage(AiMessage.from(node.get("answer").asText())).finishReason(FinishReason.STOP).build();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.close();
        }
        lock.lock();
        try {
            model.close();
            tokenizer.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "LocalChatModel[" + checkpoint + ", template " + manifest.template().name()
                + (model.quantization() == Quantization.NONE ? "" : ", " + model.quantization().flagValue()) + "]";
    }

    /** How the model's weights are held: {@link Quantization#NONE} (float32) or {@link Quantization#INT8}. */
    public Quantization quantization() {
        return model.quantization();
    }

    /** Settings for {@link LocalChatModel}. */
    /**
     * What a grounded answer may copy from: the last user message's context, the part before its final
     * {@code Question:} line when it has the retrieval prompt's shape, else the whole message.
     */
    static String groundingSource(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u && u.hasSingleText()) {
                String text = u.singleText();
                int q = text.lastIndexOf("\nQuestion: ");
                return q > 0 ? text.substring(0, q) : text;
            }
        }
        throw new IllegalArgumentException("grounded answers copy from the user's message, and this request has none");
    }

    public static final class Builder {
        private Path checkpoint;
        private Device device;
        private Quantization quantization = Quantization.NONE;
        private int defaultMaxTokens = 256;
        private double temperature = 0;
        private double repetitionPenalty = 1.0;
        private List<String> groundedFixedAnswers;
        private List<String> groundedSpanPrefixes = List.of();
        private Long seed;
        private ResponseFormat responseFormat;
        private String modelName;
        private List<ChatModelListener> listeners = List.of();
        private boolean batching;
        private BatchLimits batchLimits;
        private Integer maxBatchSize;
        private Long kvCacheBytes;

        private Builder() {
        }

        /**
         * Continuous batching (off by default): concurrent callers' requests decode together in one loop
         * ({@link BatchScheduler}), each with its own parameters and with the tokens it would get alone;
         * limits from {@link BatchLimits#defaults}. Without it, requests run one at a time.
         */
        public Builder batching(boolean batching) {
            this.batching = batching;
            this.batchLimits = null;
            this.maxBatchSize = null;
            this.kvCacheBytes = null;
            return this;
        }

        /** Continuous batching with these limits (batch size, KV-cache memory). */
        public Builder batching(BatchLimits limits) {
            this.batching = true;
            this.batchLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Continuous batching with either limit set and the other (null) from {@link BatchLimits#defaults}, which
         * depend on the loaded model.
         */
        public Builder batching(Integer maxBatchSize, Long kvCacheBytes) {
            this.batching = true;
            this.maxBatchSize = maxBatchSize;
            this.kvCacheBytes = kvCacheBytes;
            return this;
        }

        private BatchLimits batchLimits(CausalLM model) {
            if (batchLimits != null) {
                return batchLimits;
            }
            BatchLimits defaults = BatchLimits.defaults(model);
            return new BatchLimits(maxBatchSize != null ? maxBatchSize : defaults.maxBatchSize(),
                    kvCacheBytes != null ? kvCacheBytes : defaults.kvCacheBytes());
        }

        /** langchain4j listeners told of every request and response (e.g. for tracing). */
        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners = List.copyOf(listeners);
            return this;
        }

        /**
         * Grounded answers (off by default): every plain-text reply is a span copied from the retrieved context
         * in the user's message ({@link SpanConstraint}), or one of {@code fixedAnswers} (e.g. the model's
         * "not in the given context" refusal), so it can never state a price or an id the context does not hold.
         */
        public Builder groundedAnswers(List<String> fixedAnswers) {
            return groundedAnswers(fixedAnswers, List.of());
        }

        /**
         * Grounded answers whose copied span may follow one of {@code spanPrefixes}: the units the answers'
         * format puts before a value ("$" before a price the context holds as a bare number).
         */
        public Builder groundedAnswers(List<String> fixedAnswers, List<String> spanPrefixes) {
            this.groundedFixedAnswers = List.copyOf(fixedAnswers);
            this.groundedSpanPrefixes = List.copyOf(spanPrefixes);
            return this;
        }

        /** The checkpoint directory (required). */
        public Builder checkpoint(Path checkpoint) {
            this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /** Where the model runs; default DJL's default device (a GPU when one is visible). */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * How the weights are held for inference; default {@link Quantization#NONE} (float32).
         * {@link Quantization#INT8} decodes with int8 weights (a quarter of the bytes read per token;
         * see {@link CausalLM#quantize}).
         */
        public Builder quantize(Quantization quantization) {
            this.quantization = Objects.requireNonNull(quantization, "quantization");
            return this;
        }

        /** New tokens per answer when a request sets no maxOutputTokens; default 256. */
        public Builder defaultMaxTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("defaultMaxTokens must be >= 1, got " + tokens);
            }
            this.defaultMaxTokens = tokens;
            return this;
        }

        /** Temperature when a request sets none; default 0 (greedy). */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0)) {
                throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /** CTRL repetition penalty for every request; default 1 (off). */
        public Builder repetitionPenalty(double penalty) {
            GenerationConfig.builder().repetitionPenalty(penalty);
            this.repetitionPenalty = penalty;
            return this;
        }

        /** Sampling seed when a request gives none; default a fresh seed per request. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The response format of requests that set none, e.g. a JSON schema so that a chain which
         * sends plain requests (LangChain's router) still gets schema-valid JSON from an untrained model.
         */
        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return this;
        }

        /** The name reported in responses; default the checkpoint directory's name. */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        public LocalChatModel build() {
            return new LocalChatModel(this);
        }
    }
}
