package dev.trellis.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny MediaWiki for tests: {@code /w/api.php} on a loopback port answers {@code list=search}
 * (pages whose title or text contains every query word) and {@code prop=extracts} in the
 * MediaWiki Action API's JSON format. Can be told to stall, to test timeouts.
 */
public final class MediaWikiStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, String> pages = new LinkedHashMap<>();
    private final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    private volatile Duration delay = Duration.ZERO;

    public MediaWikiStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/w/api.php", this::handle);
        // Handlers on their own daemon threads, so close() does not wait for a stalled answer.
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "mediawiki-stand-in");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public MediaWikiStandIn page(String title, String extract) {
        pages.put(title, extract);
        return this;
    }

    public MediaWikiStandIn delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/w/api.php");
    }

    /** The query strings received, in order. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = exchange.getRequestURI().getRawQuery();
            queries.add(raw);
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Map<String, String> params = parse(raw);
            ObjectNode body = JSON.createObjectNode();
            if (!"query".equals(params.get("action")) || !"json".equals(params.get("format"))) {
                body.putObject("error").put("code", "badvalue").put("info", "Unrecognized value for parameter \"action\".");
            } else if ("search".equals(params.get("list"))) {
                ArrayNode hits = body.putObject("query").putArray("search");
                String[] words = params.getOrDefault("srsearch", "").toLowerCase(Locale.ROOT).split("\\W+");
                int limit = Integer.parseInt(params.getOrDefault("srlimit", "10"));
                int pageId = 0;
                for (Map.Entry<String, String> page : pages.entrySet()) {
                    pageId++;
                    String haystack = (page.getKey() + " " + page.getValue()).toLowerCase(Locale.ROOT);
                    boolean all = true;
                    for (String word : words) {
                        all &= word.isEmpty() || haystack.contains(word);
                    }
                    if (all && hits.size() < limit) {
                        hits.addObject().put("ns", 0).put("title", page.getKey()).put("pageid", pageId)
                                .put("snippet", "<span class=\"searchmatch\">" + page.getKey() + "</span>");
                    }
                }
            } else if ("extracts".equals(params.get("prop"))) {
                ObjectNode out = body.putObject("query").putObject("pages");
                String title = params.getOrDefault("titles", "");
                String extract = pages.get(title);
                if (extract == null) {
                    out.putObject("-1").put("ns", 0).put("title", title).put("missing", "");
                } else {
                    out.putObject("42").put("pageid", 42).put("ns", 0).put("title", title).put("extract", extract);
                }
            } else {
                body.putObject("batchcomplete");
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> parse(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
