package dev.trellis.retrieval.loaders;

import java.nio.file.Path;

/**
 * A record a lenient loader did not turn into a document, and why.
 *
 * @param source the file
 * @param line   1-based physical line where the record starts (0 when the whole file was skipped)
 * @param reason what was wrong
 */
public record SkippedRecord(Path source, long line, String reason) {

    @Override
    public String toString() {
        return line > 0 ? source + " line " + line + ": " + reason : source + ": " + reason;
    }
}
