package dev.trellis.retrieval.lucene;

import dev.langchain4j.data.document.Metadata;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * How segment metadata lives in a Lucene document.
 *
 * <p>Each entry is indexed by kind, so filters become exact Lucene queries: strings and UUIDs as
 * keywords ({@code s:key}), ints and longs as {@link LongPoint} ({@code l:key}), floats and doubles
 * as {@link DoublePoint} ({@code d:key}). The value is also stored with its Java type ({@code m:key},
 * UUIDs under {@code u:key}) so a match returns the same types that were added.
 */
final class MetadataFields {

    static final String STRING_PREFIX = "s:";
    static final String LONG_PREFIX = "l:";
    static final String DOUBLE_PREFIX = "d:";
    private static final String STORED_PREFIX = "m:";
    private static final String UUID_PREFIX = "u:";

    private MetadataFields() {
    }

    static void addTo(Document doc, Metadata metadata) {
        for (Map.Entry<String, Object> entry : metadata.toMap().entrySet()) {
            String key = entry.getKey();
            Object value = entry.getValue();
            if (value instanceof String s) {
                doc.add(new StringField(STRING_PREFIX + key, s, Field.Store.NO));
                doc.add(new StoredField(STORED_PREFIX + key, s));
            } else if (value instanceof UUID u) {
                doc.add(new StringField(STRING_PREFIX + key, u.toString(), Field.Store.NO));
                doc.add(new StoredField(UUID_PREFIX + key, u.toString()));
            } else if (value instanceof Integer i) {
                doc.add(new LongPoint(LONG_PREFIX + key, i));
                doc.add(new StoredField(STORED_PREFIX + key, i));
            } else if (value instanceof Long l) {
                doc.add(new LongPoint(LONG_PREFIX + key, l));
                doc.add(new StoredField(STORED_PREFIX + key, l));
            } else if (value instanceof Float f) {
                doc.add(new DoublePoint(DOUBLE_PREFIX + key, decimal(f)));
                doc.add(new StoredField(STORED_PREFIX + key, f));
            } else if (value instanceof Double d) {
                doc.add(new DoublePoint(DOUBLE_PREFIX + key, d));
                doc.add(new StoredField(STORED_PREFIX + key, d));
            } else {
                // Metadata itself only admits the types above; anything else is a new langchain4j type.
                throw new IllegalArgumentException("metadata key '" + key + "' has a value of type "
                        + value.getClass().getName() + " that the Lucene store cannot index; "
                        + "use String, UUID, Integer, Long, Float or Double");
            }
        }
    }

    /** Fails before anything is written if a value could not be indexed. */
    static void check(Metadata metadata, String what) {
        metadata.toMap().forEach((key, value) -> {
            if (!(value instanceof String || value instanceof UUID || value instanceof Integer || value instanceof Long
                    || value instanceof Float || value instanceof Double)) {
                throw new IllegalArgumentException(what + ": metadata key '" + key + "' has a value of type "
                        + (value == null ? "null" : value.getClass().getName()) + " that the Lucene store cannot index;"
                        + " use String, UUID, Integer, Long, Float or Double");
            }
        });
    }

    static Metadata readFrom(Document doc) {
        Map<String, Object> values = new HashMap<>();
        for (IndexableField field : doc.getFields()) {
            String name = field.name();
            if (name.startsWith(STORED_PREFIX)) {
                Number number = field.numericValue();
                values.put(name.substring(STORED_PREFIX.length()), number != null ? number : field.stringValue());
            } else if (name.startsWith(UUID_PREFIX)) {
                values.put(name.substring(UUID_PREFIX.length()), UUID.fromString(field.stringValue()));
            }
        }
        return new Metadata(values);
    }

    /**
     * A float as the decimal it prints as: langchain4j compares numbers through
     * {@code new BigDecimal(value.toString())}, so 0.1f must equal 0.1, as in its in-memory store.
     */
    static double decimal(Number value) {
        return value instanceof Float f ? Double.parseDouble(f.toString()) : value.doubleValue();
    }

    static BigDecimal bigDecimal(Number value) {
        return new BigDecimal(value.toString());
    }
}
