package dev.trellis.finetune.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads JSONL, JSON arrays and CSV into flat string records, noting unparseable ones by line. */
final class RecordReader {

    /**
     * A record as read: its first line, its fields as text (JSON nulls left out; numbers and booleans as
     * their JSON text), and the names of fields that held a JSON object or array (kept as JSON text).
     */
    record RawRecord(int line, Map<String, String> fields, java.util.Set<String> structured) {
        RawRecord(int line, Map<String, String> fields) {
            this(line, fields, java.util.Set.of());
        }
    }

    /** What a file yielded: the records, the bad ones, and the union of field names seen. */
    record Result(List<RawRecord> records, List<BadRecord> bad, List<String> keys) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordReader() {
    }

    static Result read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException("dataset file " + file + " does not exist or is not a file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            requireText(file);
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
                return readJsonl(file);
            } else if (name.endsWith(".json")) {
                return readJsonArray(file);
            } else if (name.endsWith(".csv")) {
                return readCsv(file);
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DatasetFormatException("dataset " + file + " is not UTF-8 text (" + e + "); save it as UTF-8"
                    + " JSONL, a JSON array or CSV", e);
        } catch (IOException e) {
            throw new DatasetFormatException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
        throw new DatasetFormatException("dataset " + file + " has an unknown extension; use .jsonl, .json (an array of objects) or .csv");
    }

    /** Refuses a binary file (a NUL byte, or bytes that are not UTF-8, in its first 64 KiB) with a clear message. */
    private static void requireText(Path file) throws IOException {
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(1 << 16);
        }
        for (int i = 0; i < head.length; i++) {
            if (head[i] == 0) {
                throw new DatasetFormatException("dataset " + file + " is a binary file, not text (a NUL byte at offset "
                        + i + "): give question/answer examples as UTF-8 JSONL (one JSON object per line), a JSON"
                        + " array of objects, or CSV");
            }
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(head);
        // not the end of input when the file goes on: a character cut at the 64 KiB mark is no error
        var result = decoder.decode(bytes, java.nio.CharBuffer.allocate(head.length + 1), head.length < (1 << 16));
        if (result.isError()) {
            throw new DatasetFormatException("dataset " + file + " is not UTF-8 text (byte 0x"
                    + String.format("%02x", head[bytes.position()] & 0xff) + " at offset " + bytes.position()
                    + " is not UTF-8): it is a binary file or in another encoding; save it as UTF-8 JSONL,"
                    + " a JSON array of objects, or CSV");
        }
    }

    private static Result readJsonl(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        List<BadRecord> bad = new ArrayList<>();
        LinkedHashMap<String, Boolean> keys = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = r.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    bad.add(new BadRecord(file.toString(), line, BadRecord.Reason.INVALID_JSON, e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    bad.add(new BadRecord(file.toString(), line, BadRecord.Reason.INVALID_JSON,
                            "expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType())));
                    continue;
                }
                records.add(record(line, node, keys));
            }
        }
        return new Result(records, bad, List.copyOf(keys.keySet()));
    }

    private static Result readJsonArray(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        List<BadRecord> bad = new ArrayList<>();
        LinkedHashMap<String, Boolean> keys = new LinkedHashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new DatasetFormatException(file + " is not a JSON array of objects; "
                        + "write one object per line as .jsonl, or wrap the records in [ ]");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new DatasetFormatException(file + " ends before its JSON array is closed");
                }
                int line = p.currentLocation().getLineNr();
                JsonNode node = JSON.readTree(p);
                if (!node.isObject()) {
                    bad.add(new BadRecord(file.toString(), line, BadRecord.Reason.INVALID_JSON,
                            "expected a JSON object, found " + node.getNodeType()));
                    continue;
                }
                records.add(record(line, node, keys));
            }
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file + " is not valid JSON at line " + e.getLocation().getLineNr()
                    + ": " + e.getOriginalMessage(), e);
        }
        return new Result(records, bad, List.copyOf(keys.keySet()));
    }

    private static Result readCsv(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, format)) {
            List<String> header = parser.getHeaderNames();
            long nextLine = parser.getCurrentLineNumber() + 1;
            for (CSVRecord rec : parser) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String h : header) {
                    if (rec.isSet(h)) {
                        fields.put(h, rec.get(h));
                    }
                }
                records.add(new RawRecord((int) nextLine, fields));
                nextLine = parser.getCurrentLineNumber() + 1;
            }
            return new Result(records, List.of(), List.copyOf(header));
        } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new DatasetFormatException("cannot parse CSV " + file + ": " + e.getMessage(), e);
        }
    }

    private static RawRecord record(int line, JsonNode node, Map<String, Boolean> keys) {
        Map<String, String> fields = new LinkedHashMap<>();
        java.util.Set<String> structured = new java.util.LinkedHashSet<>();
        node.fields().forEachRemaining(e -> {
            keys.put(e.getKey(), Boolean.TRUE);
            JsonNode v = e.getValue();
            if (!v.isNull()) {
                fields.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
                if (v.isContainerNode()) {
                    structured.add(e.getKey());
                }
            }
        });
        return new RawRecord(line, fields, structured);
    }
}
