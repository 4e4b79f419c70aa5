package dev.trellis.retrieval.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.framework.io.AtomicFiles;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk life of a {@link VectorstoreIndex}: where the cache lives, the completion marker written
 * after the index's final commit, and clearing a directory left half-built by a crash.
 *
 * <p>A directory holding Lucene files but no marker (or a marker for other content) was not finished,
 * or is stale: it is cleared and rebuilt. A directory holding anything that is neither Lucene's nor ours
 * is refused, so a mistyped path never deletes someone's files.
 */
final class IndexDirectory {

    static final String MARKER = "trellis-index.json";
    static final String HOME_PROPERTY = "trellis.home";
    static final String HOME_ENV = "TRELLIS_HOME";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names Lucene writes in an index directory, and our marker and its temporary files. */
    private static final Pattern OURS = Pattern.compile(
            "segments_\\w+|pending_segments_\\w+|write\\.lock|_.+|" + Pattern.quote(MARKER) + "|\\." + Pattern.quote(MARKER) + "\\..*\\.tmp");

    /** What the marker records about a finished index. */
    record Marker(String key, int documents, int segments, String embeddingModel, int dimension) {
    }

    private IndexDirectory() {
    }

    /** {@code trellis.home} system property, else {@code $TRELLIS_HOME}, else {@code ~/.trellis}. */
    static Path trellisHome() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".trellis");
    }

    /** The default directory of the index with this key. */
    static Path cacheDirectory(String key) {
        return trellisHome().resolve("cache").resolve("indexes").resolve(key);
    }

    /** The marker of a finished index, or empty when there is none or it cannot be read (a crash mid-write). */
    static Optional<Marker> readMarker(Path dir) {
        Path file = dir.resolve(MARKER);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || node.path("format").asInt() != FORMAT || !node.hasNonNull("key")) {
                return Optional.empty();
            }
            return Optional.of(new Marker(node.get("key").asText(), node.path("documents").asInt(),
                    node.path("segments").asInt(), node.path("embeddingModel").asText(), node.path("dimension").asInt()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records that the index is complete; call only after its final commit. */
    static void writeMarker(Path dir, Marker marker) {
        ObjectNode node = JSON.createObjectNode();
        node.put("format", FORMAT);
        node.put("key", marker.key());
        node.put("documents", marker.documents());
        node.put("segments", marker.segments());
        node.put("embeddingModel", marker.embeddingModel());
        node.put("dimension", marker.dimension());
        node.put("completedAt", Instant.now().toString());
        try {
            AtomicFiles.writeString(dir.resolve(MARKER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        } catch (IOException e) {
            throw new IndexBuildException(dir, "cannot write the completion marker of the index at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the marker first, so that a crash during a rebuild can never leave a marker over a partial index. */
    static void clear(Path dir) {
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>();
            try (Stream<Path> entries = Files.list(dir)) {
                entries.forEach(files::add);
            }
            for (Path file : files) {
                if (!Files.isRegularFile(file) || !OURS.matcher(file.getFileName().toString()).matches()) {
                    throw new IndexBuildException(dir, "the index directory " + dir + " holds " + file.getFileName()
                            + ", which is not part of a Trellis index; choose an empty or new directory for the index");
                }
            }
            try (FSDirectory lucene = FSDirectory.open(dir); Lock lock = lucene.obtainLock("write.lock")) {
                Files.deleteIfExists(dir.resolve(MARKER));
                for (Path file : files) {
                    if (!file.getFileName().toString().equals("write.lock")) {
                        Files.deleteIfExists(file);
                    }
                }
            } catch (LockObtainFailedException e) {
                throw new IndexBuildException(dir, "the index at " + dir + " is being written by another process;"
                        + " wait for it to finish or use another directory", e);
            }
        } catch (IOException e) {
            throw new IndexBuildException(dir, "cannot clear the index directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
