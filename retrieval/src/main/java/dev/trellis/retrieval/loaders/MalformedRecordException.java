package dev.trellis.retrieval.loaders;

import java.nio.file.Path;

/**
 * One record of a structured file (a CSV row, a JSON line) is malformed. Thrown in strict mode;
 * in lenient mode the same problem becomes a {@link SkippedRecord} in the {@link LoadReport}.
 */
public class MalformedRecordException extends DocumentLoadException {

    private final long line;
    private final String reason;

    public MalformedRecordException(Path source, long line, String reason, String advice) {
        super(source, source + " line " + line + ": " + reason + ". " + advice);
        this.line = line;
        this.reason = reason;
    }

    /** 1-based physical line where the bad record starts. */
    public long line() {
        return line;
    }

    /** What is wrong with the record, without the file name and advice. */
    public String reason() {
        return reason;
    }
}
