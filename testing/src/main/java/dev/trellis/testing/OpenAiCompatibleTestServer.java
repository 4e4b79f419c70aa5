package dev.trellis.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An OpenAI-compatible HTTP server for tests, started in-process on a free loopback port
 * ({@code 127.0.0.1}): real clients (langchain4j-open-ai, curl, anything OpenAI-compatible) talk
 * to it over real HTTP, and it answers from a script.
 *
 * <pre>{@code
 * try (var server = OpenAiCompatibleTestServer.start()) {
 *     server.enqueue(ScriptedReply.rateLimited(Duration.ofSeconds(1)), ScriptedReply.text("Hello"));
 *     ChatModel llm = Models.openAi().baseUrl(server.baseUrl()).apiKey("test").build();
 *     assertThat(llm.chat("Hi")).isEqualTo("Hello");
 *     assertThat(server.requests()).hasSize(2);
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code POST /v1/chat/completions} (also {@code /chat/completions}), answered
 * from the queue of {@link ScriptedReply replies} in order, then from the {@link #otherwise}
 * function; {@code GET /v1/models} (also {@code /models}). Streaming requests
 * ({@code "stream": true}) get server-sent events: one chunk per word, a final chunk with the
 * finish reason, a usage chunk when {@code stream_options.include_usage} is set, then
 * {@code data: [DONE]}. Usage token counts are whitespace word counts, not a real tokenizer's.
 * A request with no scripted reply left is answered 400 with a message saying so.
 */
public final class OpenAiCompatibleTestServer implements AutoCloseable {

    /** The model id listed by {@code /v1/models} unless {@link #servedModel} changes it. */
    public static final String DEFAULT_MODEL_ID = "trellis-test-model";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedDeque<ScriptedReply> script = new ConcurrentLinkedDeque<>();
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger completionIds = new AtomicInteger();
    private volatile Function<RecordedRequest, ScriptedReply> otherwise;
    private volatile String servedModel = DEFAULT_MODEL_ID;

    private OpenAiCompatibleTestServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a loopback port for the test server", e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "openai-test-server-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server with an empty script. */
    public static OpenAiCompatibleTestServer start() {
        return new OpenAiCompatibleTestServer();
    }

    /** Starts a server that answers with these texts, in order. */
    public static OpenAiCompatibleTestServer replying(String... texts) {
        OpenAiCompatibleTestServer server = start();
        for (String text : texts) {
            server.enqueue(ScriptedReply.text(text));
        }
        return server;
    }

    /** Starts a server that answers every completion request with a function of it. */
    public static OpenAiCompatibleTestServer answering(Function<RecordedRequest, ScriptedReply> responder) {
        return start().otherwise(responder);
    }

    /** Appends replies to the script; each is used for one request. */
    public OpenAiCompatibleTestServer enqueue(ScriptedReply... replies) {
        for (ScriptedReply reply : replies) {
            script.addLast(Objects.requireNonNull(reply, "reply"));
        }
        return this;
    }

    /** Appends the same reply {@code times} times (e.g. three 429s before a success). */
    public OpenAiCompatibleTestServer enqueue(int times, ScriptedReply reply) {
        for (int i = 0; i < times; i++) {
            enqueue(reply);
        }
        return this;
    }

    /** Answers requests with this function once the queued replies are used up. */
    public OpenAiCompatibleTestServer otherwise(Function<RecordedRequest, ScriptedReply> responder) {
        this.otherwise = Objects.requireNonNull(responder, "responder");
        return this;
    }

    /** The model id {@code /v1/models} lists. */
    public OpenAiCompatibleTestServer servedModel(String modelId) {
        this.servedModel = Objects.requireNonNull(modelId, "modelId");
        return this;
    }

    /** {@code http://127.0.0.1:<port>/v1}, what OpenAI clients take as base URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every chat-completion request received so far, oldest first. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public int requestCount() {
        return requests.size();
    }

    /** The most recent chat-completion request. */
    public RecordedRequest lastRequest() {
        synchronized (requests) {
            if (requests.isEmpty()) {
                throw new IllegalStateException("the test server has received no chat completion request");
            }
            return requests.get(requests.size() - 1);
        }
    }

    /** How many queued replies are still unused. */
    public int remainingReplies() {
        return script.size();
    }

    /** Stops the server at once; requests still hanging are interrupted. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleTestServer[" + baseUrl() + ", requests=" + requestCount()
                + ", remainingReplies=" + remainingReplies() + "]";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String rawBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (method.equals("GET") && (path.equals("/v1/models") || path.equals("/models"))) {
                sendJson(exchange, 200, modelsBody());
            } else if (method.equals("POST") && (path.equals("/v1/chat/completions") || path.equals("/chat/completions"))) {
                handleCompletion(exchange, method, path, rawBody);
            } else {
                sendJson(exchange, 404, errorJson("Unknown endpoint " + method + " " + path
                        + "; this test server serves POST /v1/chat/completions and GET /v1/models", "invalid_request_error"));
            }
        } catch (IOException e) {
            // The client went away (e.g. it timed out during a hang): nothing left to answer.
        }
    }

    private void handleCompletion(HttpExchange exchange, String method, String path, String rawBody) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(rawBody);
        } catch (JsonProcessingException e) {
            body = null;
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        RecordedRequest request = new RecordedRequest(method, path, Map.copyOf(headers), rawBody, body, Instant.now());
        requests.add(request);
        if (body == null || !body.isObject()) {
            sendJson(exchange, 400, errorJson("request body is not a JSON object", "invalid_request_error"));
            return;
        }
        ScriptedReply reply = script.pollFirst();
        if (reply == null) {
            Function<RecordedRequest, ScriptedReply> responder = otherwise;
            reply = responder != null ? responder.apply(request) : ScriptedReply.error(400,
                    "OpenAiCompatibleTestServer has no reply scripted for request #" + requests.size()
                            + " (last user message: '" + request.lastUserMessage() + "'); enqueue more replies or set otherwise(...)");
        }
        answer(exchange, request, reply);
    }

    private void answer(HttpExchange exchange, RecordedRequest request, ScriptedReply reply) throws IOException {
        if (reply instanceof ScriptedReply.Hang hang) {
            try {
                Thread.sleep(hang.duration().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sendJson(exchange, 504, errorJson("the scripted hang is over", "server_error"));
        } else if (reply instanceof ScriptedReply.Failure failure) {
            failure.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            send(exchange, failure.status(), failure.contentType(), failure.body());
        } else if (reply instanceof ScriptedReply.Malformed malformed) {
            if (request.stream()) {
                sendEvents(exchange, List.of(malformed.body()));
            } else {
                send(exchange, 200, "application/json", malformed.body());
            }
        } else if (request.stream()) {
            sendEvents(exchange, streamChunks(request, reply));
        } else {
            sendJson(exchange, 200, completion(request, reply));
        }
    }

    private ObjectNode completion(RecordedRequest request, ScriptedReply reply) {
        ObjectNode root = envelope(request, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (reply instanceof ScriptedReply.ToolCalls calls) {
            message.putNull("content");
            ArrayNode toolCalls = message.putArray("tool_calls");
            int index = 0;
            for (ScriptedReply.ToolCall call : calls.calls()) {
                ObjectNode toolCall = toolCalls.addObject();
                toolCall.put("id", "call_" + (++index));
                toolCall.put("type", "function");
                toolCall.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
            choice.put("finish_reason", "tool_calls");
        } else {
            message.put("content", ((ScriptedReply.Text) reply).content());
            choice.put("finish_reason", "stop");
        }
        root.set("usage", usage(request, reply));
        return root;
    }

    private List<String> streamChunks(RecordedRequest request, ScriptedReply reply) {
        List<String> events = new ArrayList<>();
        String finishReason;
        if (reply instanceof ScriptedReply.ToolCalls calls) {
            int index = 0;
            for (ScriptedReply.ToolCall call : calls.calls()) {
                ObjectNode chunk = envelope(request, "chat.completion.chunk");
                ObjectNode delta = chunk.putArray("choices").addObject().put("index", 0).putObject("delta");
                delta.put("role", "assistant");
                ObjectNode toolCall = delta.putArray("tool_calls").addObject();
                toolCall.put("index", index).put("id", "call_" + (index + 1)).put("type", "function");
                toolCall.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                events.add(chunk.toString());
                index++;
            }
            finishReason = "tool_calls";
        } else {
            String content = ((ScriptedReply.Text) reply).content();
            boolean first = true;
            for (String piece : content.split("(?<=\\s)")) {
                if (piece.isEmpty()) {
                    continue;
                }
                ObjectNode chunk = envelope(request, "chat.completion.chunk");
                ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
                ObjectNode delta = choice.putObject("delta");
                if (first) {
                    delta.put("role", "assistant");
                    first = false;
                }
                delta.put("content", piece);
                choice.putNull("finish_reason");
                events.add(chunk.toString());
            }
            finishReason = "stop";
        }
        ObjectNode last = envelope(request, "chat.completion.chunk");
        ObjectNode lastChoice = last.putArray("choices").addObject().put("index", 0);
        lastChoice.putObject("delta");
        lastChoice.put("finish_reason", finishReason);
        events.add(last.toString());
        if (request.body().path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = envelope(request, "chat.completion.chunk");
            usage.putArray("choices");
            usage.set("usage", usage(request, reply));
            events.add(usage.toString());
        }
        events.add("[DONE]");
        return events;
    }

    private ObjectNode envelope(RecordedRequest request, String object) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-test-" + completionIds.incrementAndGet());
        root.put("object", object);
        root.put("created", Instant.now().getEpochSecond());
        root.put("model", request.model() == null ? servedModel : request.model());
        return root;
    }

    private static ObjectNode usage(RecordedRequest request, ScriptedReply reply) {
        int prompt = 0;
        for (RecordedRequest.Message message : request.messages()) {
            prompt += words(message.content());
        }
        int completion = 0;
        if (reply instanceof ScriptedReply.Text text) {
            completion = words(text.content());
        } else if (reply instanceof ScriptedReply.ToolCalls calls) {
            for (ScriptedReply.ToolCall call : calls.calls()) {
                completion += words(call.name() + " " + call.arguments());
            }
        }
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    private static int words(String text) {
        String trimmed = text == null ? "" : text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    private ObjectNode modelsBody() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode model = root.putArray("data").addObject();
        model.put("id", servedModel);
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "trellis-test");
        return root;
    }

    private static ObjectNode errorJson(String message, String type) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.putNull("code");
        return root;
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", body.toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sendEvents(HttpExchange exchange, List<String> events) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String event : events) {
                out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    /** A JSON string literal. */
    static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
