package dev.trellis.framework.parsers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asks the model for a JSON object with named fields and reads it back (LangChain's
 * {@code StructuredOutputParser.from_response_schemas}). Put {@link #formatInstructions()} into the
 * prompt; {@link #parse(String)} returns the fields in schema order.
 */
public final class StructuredOutputParser implements OutputParser<Map<String, Object>> {

    private final List<ResponseSchema> schemas;
    private final List<String> keys;

    private StructuredOutputParser(List<ResponseSchema> schemas) {
        if (schemas.isEmpty()) {
            throw new IllegalArgumentException("StructuredOutputParser needs at least one ResponseSchema");
        }
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (ResponseSchema schema : schemas) {
            if (!seen.add(schema.name())) {
                throw new IllegalArgumentException("StructuredOutputParser: field '" + schema.name()
                        + "' is declared twice; field names must be unique");
            }
            names.add(schema.name());
        }
        this.schemas = List.copyOf(schemas);
        this.keys = List.copyOf(names);
    }

    public static StructuredOutputParser fromResponseSchemas(List<ResponseSchema> schemas) {
        return new StructuredOutputParser(schemas);
    }

    public static StructuredOutputParser fromResponseSchemas(ResponseSchema... schemas) {
        return new StructuredOutputParser(List.of(schemas));
    }

    public List<ResponseSchema> schemas() {
        return schemas;
    }

    @Override
    public String formatInstructions() {
        StringBuilder out = new StringBuilder();
        out.append("Answer with a markdown code block holding one JSON object, starting with \"```json\" ")
                .append("and ending with \"```\", in this shape:\n\n```json\n{\n");
        for (int i = 0; i < schemas.size(); i++) {
            ResponseSchema schema = schemas.get(i);
            out.append("\t\"").append(schema.name()).append("\": ").append(schema.type());
            if (!schema.description().isEmpty()) {
                out.append("  // ").append(schema.description());
            }
            out.append(i + 1 < schemas.size() ? ",\n" : "\n");
        }
        return out.append("}\n```").toString();
    }

    @Override
    public Map<String, Object> parse(String text) {
        Map<String, Object> json = JsonMarkdown.parseAndCheck(text, keys);
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String key : keys) {
            ordered.put(key, json.get(key));
        }
        return ordered;
    }
}
