package dev.trellis.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The data sets shipped in the jar ({@code catalog.csv}, {@code docs_qa.jsonl}), copied to
 * {@code $TRELLIS_HOME/data} on first use so loaders read them as ordinary files.
 */
public final class SampleData {

    public static final String CATALOG = "catalog.csv";
    public static final String DOCS_QA = "docs_qa.jsonl";

    private static final java.util.Set<Path> VERIFIED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SampleData() {
    }

    /**
     * The file {@code name} under {@code $TRELLIS_HOME/data}, copied from the jar if missing or if it differs
     * from the jar's (a newer Trellis ships newer data; a stale copy would train on the old one).
     */
    public static Path file(String name) {
        Path target = TrellisHome.directory().resolve("data").resolve(name);
        if (VERIFIED.contains(target)) {
            return target; // compared with the jar's copy once per run, not at every call
        }
        try (InputStream in = SampleData.class.getResourceAsStream("/data/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled data set '" + name + "'; the jar ships "
                        + CATALOG + " and " + DOCS_QA);
            }
            byte[] bundled = in.readAllBytes();
            if (Files.isRegularFile(target) && Files.size(target) == bundled.length
                    && java.util.Arrays.equals(Files.readAllBytes(target), bundled)) {
                VERIFIED.add(target);
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), name, ".tmp");
            try {
                Files.write(tmp, bundled);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                VERIFIED.add(target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the bundled " + name + " to " + target + ": " + e.getMessage(), e);
        }
    }
}
