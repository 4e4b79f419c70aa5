package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Loads a CSV file as one {@link Document} per row, like LangChain's {@code CSVLoader}: the text is one
 * {@code column: value} line per content column, the metadata holds {@code source} (the path, or the value of
 * {@link Builder#sourceColumn}), {@code row} (0-based data-row index) and any {@link Builder#metadataColumns}.
 *
 * <p>The first record is the header. Parsing is RFC 4180 via commons-csv: quoted fields may hold delimiters,
 * newlines and doubled quotes; a UTF-8 byte-order mark, CRLF line ends and blank lines are accepted. A row
 * with the wrong number of fields or an unterminated quote is a {@link MalformedRecordException} naming the
 * file and line; with {@link Builder#lenient(boolean) lenient} loading it is skipped, logged and listed in the
 * {@link LoadReport} instead, and parsing resumes on the next line.
 */
public final class CsvLoader implements Loader {

    private static final Logger log = LoggerFactory.getLogger(CsvLoader.class);

    private final Path path;
    private final List<String> contentColumns;
    private final List<String> metadataColumns;
    private final char delimiter;
    private final Charset charset;
    private final String sourceColumn;
    private final boolean lenient;

    private CsvLoader(Builder b) {
        this.path = Objects.requireNonNull(b.path, "path is required: CsvLoader.builder().path(Path.of(\"data.csv\"))");
        this.contentColumns = List.copyOf(b.contentColumns);
        this.metadataColumns = List.copyOf(b.metadataColumns);
        this.delimiter = b.delimiter;
        this.charset = b.charset;
        this.sourceColumn = b.sourceColumn;
        this.lenient = b.lenient;
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("delimiter " + printable(delimiter) + " is not allowed: it is the quote "
                    + "or a line break; use ',', ';', '\\t' or '|'");
        }
    }

    /** A strict loader for a comma-separated UTF-8 file with every column in the content. */
    public static CsvLoader from(Path path) {
        return builder().path(path).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoadReport loadWithReport() {
        String text = TextFiles.read(path, charset);
        if (text.isBlank()) {
            throw new DocumentLoadException(path, path + " is empty: a CSV file needs a header row naming its columns");
        }
        int[] lineStarts = lineStarts(text);
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).get();

        List<Document> documents = new ArrayList<>();
        List<SkippedRecord> skipped = new ArrayList<>();
        List<String> header = null;
        int row = 0;
        int firstLine = 1; // 1-based line where the current parser starts
        while (firstLine <= lineStarts.length) {
            int resumeAt = -1;
            try (CSVParser parser = format.parse(new StringReader(text.substring(lineStarts[firstLine - 1])))) {
                Iterator<CSVRecord> records = parser.iterator();
                while (true) {
                    long line = firstLine + parser.getCurrentLineNumber();
                    line = skipBlankLines(text, lineStarts, line);
                    CSVRecord record;
                    try {
                        if (!records.hasNext()) {
                            break;
                        }
                        record = records.next();
                    } catch (UncheckedIOException | IllegalStateException e) {
                        String reason = "cannot parse the record (" + rootMessage(e) + ")";
                        if (header == null) {
                            throw new MalformedRecordException(path, line, reason + " in the header row",
                                    "Fix the header; a file without a valid header cannot be loaded");
                        }
                        skip(skipped, line, reason + ", typically an unterminated or stray quote",
                                "Close the quote or double the quote character inside quoted fields (\"\"), "
                                        + "or load with lenient(true) to skip such rows");
                        row++;
                        resumeAt = (int) line + 1;
                        break;
                    }
                    if (header == null) {
                        header = header(record, line);
                        continue;
                    }
                    if (record.size() != header.size()) {
                        skip(skipped, line, "expected " + header.size() + " fields (" + String.join(",", header)
                                        + ") but found " + record.size(),
                                "Quote fields that contain the delimiter " + printable(delimiter)
                                        + ", or load with lenient(true) to skip such rows");
                        row++;
                        continue;
                    }
                    documents.add(toDocument(header, record, row++));
                }
            } catch (IOException e) {
                throw new DocumentLoadException(path, "cannot parse " + path + ": " + e, e);
            }
            if (resumeAt < 0) {
                break;
            }
            firstLine = resumeAt;
        }
        if (header == null) {
            throw new DocumentLoadException(path, path + " has no header row: it holds only blank lines");
        }
        if (!skipped.isEmpty()) {
            log.warn("{}: loaded {} rows, skipped {} malformed rows (lenient): {}", path, documents.size(),
                    skipped.size(), skipped);
        }
        return new LoadReport(documents, skipped);
    }

    private void skip(List<SkippedRecord> skipped, long line, String reason, String advice) {
        if (!lenient) {
            throw new MalformedRecordException(path, line, reason, advice);
        }
        skipped.add(new SkippedRecord(path, line, reason));
    }

    private List<String> header(CSVRecord record, long line) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String raw : record) {
            String name = raw.strip();
            if (name.isEmpty()) {
                throw new MalformedRecordException(path, line, "the header has a blank column name at position "
                        + (names.size() + 1), "Name every column in the first row");
            }
            if (!seen.add(name)) {
                throw new MalformedRecordException(path, line, "the header names column '" + name + "' twice",
                        "Give every column a distinct name");
            }
            names.add(name);
        }
        List<String> wanted = new ArrayList<>(contentColumns);
        wanted.addAll(metadataColumns);
        if (sourceColumn != null) {
            wanted.add(sourceColumn);
        }
        List<String> missing = wanted.stream().filter(c -> !seen.contains(c)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new DocumentLoadException(path, path + " has no column(s) " + missing + "; its header is " + names
                    + ". Fix contentColumns/metadataColumns/sourceColumn");
        }
        return names;
    }

    private Document toDocument(List<String> header, CSVRecord record, int row) {
        StringBuilder content = new StringBuilder();
        Map<String, Object> metadata = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i);
            String value = record.get(i).strip();
            if (metadataColumns.contains(column)) {
                metadata.put(column, value);
            } else if (contentColumns.isEmpty() || contentColumns.contains(column)) {
                if (content.length() > 0) {
                    content.append('\n');
                }
                content.append(column).append(": ").append(value);
            }
        }
        metadata.put("source", sourceColumn == null ? path.toString() : record.get(header.indexOf(sourceColumn)).strip());
        metadata.put("row", row);
        return Document.from(content.toString(), Metadata.from(metadata));
    }

    /** Offsets where each physical line starts; CR, LF and CRLF all end a line, as in commons-csv. */
    private static int[] lineStarts(String text) {
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                i++;
            }
            if ((c == '\r' || c == '\n') && i + 1 < text.length()) {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, n);
    }

    private static long skipBlankLines(String text, int[] lineStarts, long line) {
        while (line <= lineStarts.length) {
            int start = lineStarts[(int) line - 1];
            char c = start < text.length() ? text.charAt(start) : '\n';
            if (c != '\r' && c != '\n') {
                break;
            }
            line++;
        }
        return Math.min(line, lineStarts.length);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static String printable(char c) {
        return c == '\t' ? "'\\t'" : "'" + c + "'";
    }

    @Override
    public String toString() {
        return "CsvLoader[" + path + "]";
    }

    /** Options for {@link CsvLoader}; only {@link #path} is required. */
    public static final class Builder {
        private Path path;
        private List<String> contentColumns = List.of();
        private List<String> metadataColumns = List.of();
        private char delimiter = ',';
        private Charset charset = StandardCharsets.UTF_8;
        private String sourceColumn;
        private boolean lenient;

        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /** Columns that go into the text; default: every column not listed in {@link #metadataColumns}. */
        public Builder contentColumns(String... columns) {
            return contentColumns(List.of(columns));
        }

        public Builder contentColumns(List<String> columns) {
            this.contentColumns = List.copyOf(columns);
            return this;
        }

        /** Columns copied into the metadata (as strings) and left out of the text. */
        public Builder metadataColumns(String... columns) {
            return metadataColumns(List.of(columns));
        }

        public Builder metadataColumns(List<String> columns) {
            this.metadataColumns = List.copyOf(columns);
            return this;
        }

        public Builder delimiter(char delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        /** The file's encoding, UTF-8 by default; bytes that do not decode are an error, never replaced. */
        public Builder charset(Charset charset) {
            this.charset = Objects.requireNonNull(charset, "charset");
            return this;
        }

        /** A column whose value becomes the {@code source} metadata instead of the file path. */
        public Builder sourceColumn(String column) {
            this.sourceColumn = column;
            return this;
        }

        /** Skip malformed rows (reported in the {@link LoadReport} and logged) instead of failing on the first. */
        public Builder lenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        public CsvLoader build() {
            return new CsvLoader(this);
        }
    }
}
