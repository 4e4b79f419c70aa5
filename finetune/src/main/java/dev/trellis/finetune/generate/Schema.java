package dev.trellis.finetune.generate;

import java.util.List;
import java.util.Map;

/**
 * The subset of JSON Schema that constrained decoding enforces, after conversion from langchain4j's
 * {@code JsonSchemaElement} or a JSON Schema document (see {@link JsonConstraint}).
 */
sealed interface Schema {

    /** Any JSON value. */
    record Any() implements Schema { }

    /** A JSON object with declared properties (no others) of which {@code required} must appear. */
    record Obj(Map<String, Schema> properties, List<String> required) implements Schema {
        public Obj {
            properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
            required = List.copyOf(required);
        }

        /** Index of a declared property in declaration order (used as a bit in the seen-set). */
        int indexOf(String name) {
            int i = 0;
            for (String k : properties.keySet()) {
                if (k.equals(name)) {
                    return i;
                }
                i++;
            }
            return -1;
        }
    }

    /** A JSON object with any string keys and values of one schema. */
    record Map_(Schema values) implements Schema { }

    record Arr(Schema items) implements Schema { }

    record Str() implements Schema { }

    /** A number; {@code integer} forbids fraction and exponent. */
    record Num(boolean integer) implements Schema { }

    record Bool() implements Schema { }

    record Null() implements Schema { }

    /** One of the given values, each as its canonical JSON text. */
    record Enum(List<String> jsonTexts) implements Schema {
        public Enum {
            jsonTexts = List.copyOf(jsonTexts);
        }
    }

    /** Any of the alternatives. */
    record AnyOf(List<Schema> alternatives) implements Schema {
        public AnyOf {
            alternatives = List.copyOf(alternatives);
        }
    }
}
