package dev.trellis.finetune.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.framework.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per log or evaluation entry, each line appended in a
 * single write, so a crash loses at most the lines not yet on disk and never tears the earlier ones. On resume the lines after the
 * checkpoint's step are dropped (rewritten atomically), so the file tells one consistent story.
 */
public final class MetricsLog {

    /** The file name in the output directory. */
    public static final String FILE = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends one entry as a line. */
    public void append(Map<String, Object> entry) {
        try {
            byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                // one write per line, flushed to the OS; not fsynced per line (that cost more than a training
                // step under load). A crash loses at most the tail; resume truncates to the checkpoint anyway.
                AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every entry in the file; a torn last line (a crash mid-write) is ignored. */
    public List<Map<String, Object>> read() {
        return read(file);
    }

    /** Every entry of a metrics file; a torn last line is ignored. */
    public static List<Map<String, Object>> read(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
                } catch (IOException e) {
                    if (i < lines.size() - 1) {
                        throw new UncheckedIOException(file + " line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Keeps only entries with {@code step <= lastStep} (rewrites the file atomically); used on resume. */
    public void truncateAfter(int lastStep) {
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> e : read()) {
            if (((Number) e.getOrDefault("step", 0)).intValue() <= lastStep) {
                kept.add(e);
            }
        }
        StringBuilder sb = new StringBuilder();
        try {
            for (Map<String, Object> e : kept) {
                sb.append(JSON.writeValueAsString(e)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
