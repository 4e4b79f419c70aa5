package dev.trellis.retrieval.loaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads a JSON Lines file, one {@link Document} per line (LangChain's {@code JSONLoader} with
 * {@code json_lines=True}): {@link Builder#textField} holds the text; the other scalar fields (or only
 * {@link Builder#metadataFields}) go into metadata, plus {@code source} and {@code line} (1-based).
 * A line that is not a JSON object, or lacks the text field, is a {@link MalformedRecordException} naming file
 * and line, or (lenient) skipped and reported. Blank lines are ignored.
 */
public final class JsonLinesLoader implements Loader {

    private static final Logger log = LoggerFactory.getLogger(JsonLinesLoader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final String textField;
    private final List<String> metadataFields;
    private final boolean lenient;

    private JsonLinesLoader(Builder b) {
        this.path = Objects.requireNonNull(b.path, "path is required");
        this.textField = Objects.requireNonNull(b.textField, "textField is required");
        this.metadataFields = b.metadataFields;
        this.lenient = b.lenient;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoadReport loadWithReport() {
        String text = TextFiles.read(path, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new DocumentLoadException(path, path + " is empty: a JSON Lines file needs one JSON object per line");
        }
        String[] lines = text.split("\\R", -1);
        List<Document> documents = new ArrayList<>();
        List<SkippedRecord> skipped = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            long number = i + 1;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                skip(skipped, number, "not valid JSON (" + e.getOriginalMessage() + ")");
                continue;
            }
            if (node == null || !node.isObject()) {
                skip(skipped, number, "expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
                continue;
            }
            JsonNode value = node.get(textField);
            if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
                skip(skipped, number, "has no text in field '" + textField + "' (fields: " + fieldNames(node) + ")");
                continue;
            }
            Metadata metadata = Metadata.from("source", path.toString()).put("line", (int) number);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                JsonNode v = field.getValue();
                if (name.equals(textField) || (metadataFields != null && !metadataFields.contains(name))
                        || !v.isValueNode() || v.isNull()) {
                    continue;
                }
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    metadata.put(name, v.asLong());
                } else if (v.isNumber()) {
                    metadata.put(name, v.asDouble());
                } else {
                    metadata.put(name, v.asText());
                }
            }
            documents.add(Document.from(value.asText(), metadata));
        }
        if (!skipped.isEmpty()) {
            log.warn("{}: loaded {} lines, skipped {} (lenient): {}", path, documents.size(), skipped.size(), skipped);
        }
        return new LoadReport(documents, skipped);
    }

    private void skip(List<SkippedRecord> skipped, long line, String reason) {
        if (!lenient) {
            throw new MalformedRecordException(path, line, reason,
                    "Fix the line, or load with lenient(true) to skip such lines");
        }
        skipped.add(new SkippedRecord(path, line, reason));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Override
    public String toString() {
        return "JsonLinesLoader[" + path + ", text=" + textField + "]";
    }

    /** Options for {@link JsonLinesLoader}; {@link #path} and {@link #textField} are required. */
    public static final class Builder {
        private Path path;
        private String textField = "text";
        private List<String> metadataFields;
        private boolean lenient;

        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /** The field holding the document text (default {@code text}). */
        public Builder textField(String field) {
            this.textField = field;
            return this;
        }

        /** Only these fields go into metadata (default: every other scalar field). */
        public Builder metadataFields(String... fields) {
            this.metadataFields = List.of(fields);
            return this;
        }

        /** Skip bad lines (reported and logged) instead of failing on the first. */
        public Builder lenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        public JsonLinesLoader build() {
            return new JsonLinesLoader(this);
        }
    }
}
