package dev.trellis.finetune.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

/**
 * What constrained decoding holds a model's output to: any JSON value, or a JSON schema.
 *
 * <p>Supported schema features: {@code object} with {@code properties} and {@code required} (no
 * other keys are generated; an object without properties takes any keys), {@code string},
 * {@code number}, {@code integer}, {@code boolean}, {@code null}, {@code enum}/{@code const},
 * {@code array} with {@code items}, {@code anyOf}/{@code oneOf}, a {@code type} list, and nesting.
 * Length, pattern, range and {@code $ref} keywords are refused with a {@link JsonConstraintException}
 * rather than silently ignored, except descriptive ones ({@code description}, {@code title}).
 * Output is compact JSON: at most one whitespace character between tokens.
 *
 * <pre>{@code
 * GenerationConfig config = GenerationConfig.builder()
 *         .jsonConstraint(JsonConstraint.fromJsonSchema("{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"}},\"required\":[\"sku\"]}"))
 *         .build();
 * }</pre>
 */
public final class JsonConstraint {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonConstraint ANY = new JsonConstraint(new Schema.Any());

    private final Schema schema;

    private JsonConstraint(Schema schema) {
        this.schema = schema;
    }

    /** Any JSON value (the "JSON mode" of chat APIs, without a schema). */
    public static JsonConstraint anyJson() {
        return ANY;
    }

    /** Any JSON object. */
    public static JsonConstraint anyObject() {
        return new JsonConstraint(new Schema.Map_(new Schema.Any()));
    }

    /** Any string. */
    public static JsonConstraint string() {
        return new JsonConstraint(new Schema.Str());
    }

    /** Exactly this string. */
    public static JsonConstraint constant(String value) {
        return new JsonConstraint(new Schema.Enum(List.of(quote(value))));
    }

    /** Only {@code {}}. */
    public static JsonConstraint emptyObject() {
        return new JsonConstraint(new Schema.Obj(Map.of(), List.of()));
    }

    /** An object with these properties (in this order) of which {@code required} must appear; no other keys. */
    public static JsonConstraint object(Map<String, JsonConstraint> properties, List<String> required) {
        Map<String, Schema> props = new LinkedHashMap<>();
        properties.forEach((k, v) -> props.put(k, v.schema));
        return new JsonConstraint(object(props, required, "$"));
    }

    /** Any one of the alternatives. */
    public static JsonConstraint anyOf(List<JsonConstraint> alternatives) {
        if (alternatives.isEmpty()) {
            throw new JsonConstraintException("anyOf needs at least one alternative");
        }
        return alternatives.size() == 1 ? alternatives.get(0)
                : new JsonConstraint(new Schema.AnyOf(alternatives.stream().map(a -> a.schema).toList()));
    }

    /** A langchain4j schema element (as in {@code ResponseFormat}'s JSON schema or a tool's parameters). */
    public static JsonConstraint of(JsonSchemaElement element) {
        return new JsonConstraint(convert(Objects.requireNonNull(element, "element"), "$"));
    }

    /** A JSON Schema document given as text. */
    public static JsonConstraint fromJsonSchema(String jsonSchema) {
        try {
            return fromJsonSchema(JSON.readTree(jsonSchema));
        } catch (JsonProcessingException e) {
            throw new JsonConstraintException("JSON schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON Schema document. */
    public static JsonConstraint fromJsonSchema(JsonNode jsonSchema) {
        return new JsonConstraint(convert(jsonSchema, "$"));
    }

    Schema schema() {
        return schema;
    }

    /** True when {@code text} (compact JSON) is a complete document this constraint accepts. */
    public boolean accepts(String text) {
        List<JsonAutomaton.Stack> states = JsonAutomaton.feed(JsonAutomaton.start(schema), text.getBytes(StandardCharsets.UTF_8));
        return JsonAutomaton.accepting(states);
    }

    /** The shortest document this constraint accepts (what a zero budget produces). */
    public String minimalDocument() {
        return JsonAutomaton.minimal(schema);
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String unquote(String json) {
        try {
            return JSON.readValue(json, String.class);
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON string: " + json, e);
        }
    }

    private static Schema convert(JsonSchemaElement e, String path) {
        if (e instanceof JsonObjectSchema o) {
            if (o.properties() == null || o.properties().isEmpty()) {
                return new Schema.Map_(new Schema.Any());
            }
            Map<String, Schema> props = new LinkedHashMap<>();
            o.properties().forEach((k, v) -> props.put(k, convert(v, path + "." + k)));
            List<String> required = o.required() == null ? List.of() : o.required();
            return object(props, required, path);
        }
        if (e instanceof JsonStringSchema) {
            return new Schema.Str();
        }
        if (e instanceof JsonIntegerSchema) {
            return new Schema.Num(true);
        }
        if (e instanceof JsonNumberSchema) {
            return new Schema.Num(false);
        }
        if (e instanceof JsonBooleanSchema) {
            return new Schema.Bool();
        }
        if (e instanceof JsonNullSchema) {
            return new Schema.Null();
        }
        if (e instanceof JsonEnumSchema en) {
            return new Schema.Enum(en.enumValues().stream().map(JsonConstraint::quote).toList());
        }
        if (e instanceof JsonArraySchema a) {
            return new Schema.Arr(a.items() == null ? new Schema.Any() : convert(a.items(), path + "[]"));
        }
        if (e instanceof JsonAnyOfSchema any) {
            List<Schema> alts = new ArrayList<>();
            for (JsonSchemaElement alt : any.anyOf()) {
                alts.add(convert(alt, path + "|"));
            }
            return new Schema.AnyOf(alts);
        }
        if (e instanceof JsonRawSchema raw) {
            return fromJsonSchema(raw.schema()).schema;
        }
        throw new JsonConstraintException("schema element " + e.getClass().getSimpleName() + " at " + path
                + " is not supported by constrained decoding (no $ref/definitions); inline the referenced schema");
    }

    private static Schema object(Map<String, Schema> props, List<String> required, String path) {
        if (props.size() > 63) {
            throw new JsonConstraintException("object at " + path + " declares " + props.size()
                    + " properties; constrained decoding supports at most 63 per object");
        }
        for (String r : required) {
            if (!props.containsKey(r)) {
                throw new JsonConstraintException("object at " + path + " requires '" + r
                        + "' but does not declare it in properties " + props.keySet());
            }
        }
        return new Schema.Obj(props, required);
    }

    private static final java.util.Set<String> IGNORED = java.util.Set.of("description", "title", "$schema", "$id",
            "examples", "default", "additionalProperties", "strict", "name");

    private static Schema convert(JsonNode node, String path) {
        if (node == null || node.isBoolean() && node.asBoolean()) {
            return new Schema.Any();
        }
        if (!node.isObject()) {
            throw new JsonConstraintException("schema at " + path + " must be an object, got " + node);
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!IGNORED.contains(f) && !java.util.Set.of("type", "properties", "required", "items", "enum", "const",
                    "anyOf", "oneOf").contains(f)) {
                throw new JsonConstraintException("schema keyword '" + f + "' at " + path
                        + " is not supported by constrained decoding; supported: type, properties, required, items, "
                        + "enum, const, anyOf, oneOf");
            }
        });
        if (node.has("const")) {
            return new Schema.Enum(List.of(node.get("const").toString()));
        }
        if (node.has("enum")) {
            List<String> texts = new ArrayList<>();
            node.get("enum").forEach(v -> texts.add(v.toString()));
            if (texts.isEmpty()) {
                throw new JsonConstraintException("enum at " + path + " is empty; give at least one value");
            }
            return new Schema.Enum(texts);
        }
        JsonNode anyOf = node.has("anyOf") ? node.get("anyOf") : node.get("oneOf");
        if (anyOf != null) {
            List<Schema> alts = new ArrayList<>();
            int i = 0;
            for (JsonNode alt : anyOf) {
                alts.add(convert(alt, path + "|" + i++));
            }
            if (alts.isEmpty()) {
                throw new JsonConstraintException("anyOf at " + path + " is empty");
            }
            return new Schema.AnyOf(alts);
        }
        JsonNode type = node.get("type");
        if (type == null) {
            return node.has("properties") ? typed("object", node, path) : new Schema.Any();
        }
        if (type.isArray()) {
            List<Schema> alts = new ArrayList<>();
            type.forEach(t -> alts.add(typed(t.asText(), node, path)));
            return alts.size() == 1 ? alts.get(0) : new Schema.AnyOf(alts);
        }
        return typed(type.asText(), node, path);
    }

    private static Schema typed(String type, JsonNode node, String path) {
        switch (type) {
            case "object": {
                JsonNode props = node.get("properties");
                if (props == null || props.isEmpty()) {
                    return new Schema.Map_(new Schema.Any());
                }
                Map<String, Schema> out = new LinkedHashMap<>();
                props.fields().forEachRemaining(f -> out.put(f.getKey(), convert(f.getValue(), path + "." + f.getKey())));
                List<String> required = new ArrayList<>();
                if (node.has("required")) {
                    node.get("required").forEach(r -> required.add(r.asText()));
                }
                return object(out, required, path);
            }
            case "array":
                return new Schema.Arr(node.has("items") ? convert(node.get("items"), path + "[]") : new Schema.Any());
            case "string":
                return new Schema.Str();
            case "number":
                return new Schema.Num(false);
            case "integer":
                return new Schema.Num(true);
            case "boolean":
                return new Schema.Bool();
            case "null":
                return new Schema.Null();
            default:
                throw new JsonConstraintException("schema at " + path + " has unknown type '" + type
                        + "'; use object, array, string, number, integer, boolean or null");
        }
    }

    @Override
    public String toString() {
        return "JsonConstraint[" + schema + "]";
    }
}
