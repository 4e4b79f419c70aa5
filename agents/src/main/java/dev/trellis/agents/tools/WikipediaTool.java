package dev.trellis.agents.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * LangChain's {@code wikipedia} tool over the MediaWiki Action API: a full-text search
 * ({@code action=query&list=search}) for the top titles, then each page's plain-text intro
 * ({@code prop=extracts}). Any MediaWiki with the TextExtracts extension works; set
 * {@link Builder#endpoint(URI)}. A network failure, a timeout or an unexpected answer becomes an
 * observation that says so: the agent goes on instead of crashing.
 */
public final class WikipediaTool implements AgentTool {

    /** The tool's name, as {@code Tools.load("wikipedia")} creates it. */
    public static final String NAME = "wikipedia";
    /** English Wikipedia's API endpoint. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://en.wikipedia.org/w/api.php");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Duration timeout;
    private final int topK;
    private final int maxChars;
    private final HttpClient http;

    private WikipediaTool(Builder builder) {
        this.endpoint = Objects.requireNonNull(builder.endpoint, "endpoint");
        this.timeout = Objects.requireNonNull(builder.timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("wikipedia timeout must be positive, got " + timeout);
        }
        if (builder.topK < 1) {
            throw new IllegalArgumentException("wikipedia topK must be at least 1, got " + builder.topK);
        }
        if (builder.maxChars < 100) {
            throw new IllegalArgumentException("wikipedia maxChars must be at least 100, got " + builder.maxChars);
        }
        this.topK = builder.topK;
        this.maxChars = builder.maxChars;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The tool against English Wikipedia with the defaults. */
    public static WikipediaTool create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "A wrapper around Wikipedia. Useful for when you need to answer general questions about people, "
                + "places, companies, facts, historical events, or other subjects. Input should be a search query.";
    }

    @Override
    public String run(String query) throws InterruptedException {
        if (query == null || query.isBlank()) {
            return "Wikipedia needs a search query; the input was empty.";
        }
        try {
            JsonNode search = get("action=query&list=search&format=json&utf8=1&srlimit=" + topK
                    + "&srsearch=" + encode(query.trim()));
            List<String> titles = new ArrayList<>();
            for (JsonNode hit : search.path("query").path("search")) {
                titles.add(hit.path("title").asText());
            }
            if (titles.isEmpty()) {
                return "No good Wikipedia Search Result was found for '" + query.trim() + "'.";
            }
            StringBuilder out = new StringBuilder();
            for (String title : titles) {
                String extract = extract(title);
                if (extract.isBlank()) {
                    continue;
                }
                if (out.length() > 0) {
                    out.append("\n\n");
                }
                out.append("Page: ").append(title).append("\nSummary: ").append(extract.trim());
            }
            if (out.length() == 0) {
                return "Wikipedia found " + titles + " for '" + query.trim() + "' but none has a summary.";
            }
            return out.length() <= maxChars ? out.toString() : out.substring(0, maxChars);
        } catch (HttpTimeoutException e) {
            return "Wikipedia did not answer within " + timeout.toMillis() + " ms (" + endpoint + "); try again later or answer without it.";
        } catch (IOException e) {
            return "Wikipedia search failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (" + endpoint + ").";
        } catch (WikipediaAnswerException e) {
            return "Wikipedia search failed: " + e.getMessage();
        }
    }

    private String extract(String title) throws IOException, InterruptedException {
        JsonNode answer = get("action=query&prop=extracts&exintro=1&explaintext=1&redirects=1&format=json&utf8=1&titles="
                + encode(title));
        for (JsonNode page : answer.path("query").path("pages")) {
            String text = page.path("extract").asText("");
            if (!text.isBlank()) {
                return text;
            }
        }
        return "";
    }

    private JsonNode get(String query) throws IOException, InterruptedException {
        String base = endpoint.toString();
        URI uri = URI.create(base + (base.contains("?") ? "&" : "?") + query);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", "Trellis/0.1 (https://github.com/trellis; agents wikipedia tool)")
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new WikipediaAnswerException("HTTP " + response.statusCode() + " from " + endpoint);
        }
        JsonNode node;
        try {
            node = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new WikipediaAnswerException("the answer from " + endpoint + " is not JSON");
        }
        if (node.has("error")) {
            throw new WikipediaAnswerException(node.path("error").path("info").asText(node.get("error").toString())
                    + " (" + endpoint + ")");
        }
        return node;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return "WikipediaTool[" + endpoint + "]";
    }

    /** An answer that is not what the MediaWiki API sends; reported as the observation. */
    private static final class WikipediaAnswerException extends RuntimeException {
        WikipediaAnswerException(String message) {
            super(message);
        }
    }

    /** Configures a {@link WikipediaTool}. */
    public static final class Builder {
        private URI endpoint = DEFAULT_ENDPOINT;
        private Duration timeout = Duration.ofSeconds(10);
        private int topK = 3;
        private int maxChars = 4000;

        private Builder() {
        }

        /** The {@code api.php} URL of a MediaWiki; English Wikipedia by default. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder endpoint(String endpoint) {
            return endpoint(URI.create(endpoint));
        }

        /** Connect and per-request timeout; 10 s by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How many pages to summarize; 3 by default. */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /** The observation is cut to this many characters; 4000 by default. */
        public Builder maxChars(int maxChars) {
            this.maxChars = maxChars;
            return this;
        }

        public WikipediaTool build() {
            return new WikipediaTool(this);
        }
    }
}
