package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON Schema of an OpenAI request ({@code response_format.json_schema.schema}, a tool's
 * {@code parameters}) into langchain4j's {@link JsonSchemaElement} tree, the form a
 * {@code ChatModel} reads for constrained decoding.
 *
 * <p>Covers what OpenAI's structured outputs accept: object (properties, required,
 * additionalProperties, {@code $defs}/{@code definitions}), array (items), string, integer,
 * number, boolean, null, string enums and {@code const}, {@code anyOf}/{@code oneOf}, type unions
 * such as {@code ["string", "null"]}, and local {@code $ref}s. References are inlined (Pydantic
 * puts every nested model in {@code $defs}), so a decoder that knows no references still gets the
 * whole shape; only a recursive reference stays a {@link JsonReferenceSchema} with its definition
 * on the root. Anything else is refused with a 400 naming the place in the schema, rather than
 * silently dropped.
 */
final class JsonSchemas {

    private JsonSchemas() {
    }

    /** The root element of {@code schema}; {@code param} names the request field for errors. */
    static JsonSchemaElement toElement(JsonNode schema, String param) {
        if (schema == null || !schema.isObject()) {
            throw OpenAiApiException.invalidRequest("'" + param + "' must be a JSON Schema object, got "
                    + describe(schema) + ".", param);
        }
        Context context = new Context(param);
        for (String key : List.of("$defs", "definitions")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path(key).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> def = it.next();
                context.definitions.put(def.getKey(), def.getValue());
            }
        }
        JsonSchemaElement root = context.convert(schema, "#");
        if (!context.recursive.isEmpty()) {
            if (!(root instanceof JsonObjectSchema object)) {
                throw OpenAiApiException.invalidRequest("'" + param + "': recursive $defs are supported only on an"
                        + " object root schema.", param);
            }
            // Converting one recursive definition may reveal another: work until none is left.
            Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
            List<String> pending = new ArrayList<>(context.recursive);
            while (!pending.isEmpty()) {
                String name = pending.remove(0);
                context.resolving.push(name);
                definitions.put(name, context.convert(context.definitions.get(name), "#/$defs/" + name));
                context.resolving.pop();
                context.recursive.stream().filter(n -> !definitions.containsKey(n) && !pending.contains(n))
                        .forEach(pending::add);
            }
            return JsonObjectSchema.builder()
                    .description(object.description())
                    .addProperties(object.properties())
                    .required(object.required())
                    .additionalProperties(object.additionalProperties())
                    .definitions(definitions)
                    .build();
        }
        return root;
    }

    /** The schema of a tool's parameters, which OpenAI requires to be an object. */
    static JsonObjectSchema toObjectSchema(JsonNode schema, String param) {
        JsonSchemaElement element = toElement(schema, param);
        if (element instanceof JsonObjectSchema object) {
            return object;
        }
        throw OpenAiApiException.invalidRequest("'" + param + "' must be a schema of type 'object'.", param);
    }

    /** One conversion: the root's definitions and the references being inlined right now. */
    private static final class Context {
        final String param;
        final Map<String, JsonNode> definitions = new LinkedHashMap<>();
        final Deque<String> resolving = new ArrayDeque<>();
        final Set<String> recursive = new LinkedHashSet<>();

        Context(String param) {
            this.param = param;
        }

        JsonSchemaElement convert(JsonNode node, String path) {
            if (node == null || !node.isObject()) {
                throw unsupported(param, path, "expected a schema object, got " + describe(node));
            }
            String description = node.hasNonNull("description") ? node.get("description").asText() : null;
            if (node.has("$ref")) {
                String ref = node.get("$ref").asText();
                for (String prefix : List.of("#/$defs/", "#/definitions/")) {
                    if (ref.startsWith(prefix)) {
                        String name = ref.substring(prefix.length());
                        JsonNode target = definitions.get(name);
                        if (target == null) {
                            throw unsupported(param, path, "'" + ref + "' names no entry of the root's $defs");
                        }
                        if (resolving.contains(name)) {
                            recursive.add(name);
                            return JsonReferenceSchema.builder().reference(name).build();
                        }
                        resolving.push(name);
                        try {
                            return convert(target, prefix.substring(0, prefix.length() - 1) + "/" + name);
                        } finally {
                            resolving.pop();
                        }
                    }
                }
                throw unsupported(param, path, "only local references (#/$defs/NAME) are supported, got '" + ref + "'");
            }
            for (String combinator : List.of("anyOf", "oneOf")) {
                if (node.has(combinator)) {
                    List<JsonSchemaElement> options = new ArrayList<>();
                    JsonNode list = node.get(combinator);
                    for (int i = 0; i < list.size(); i++) {
                        options.add(convert(list.get(i), path + "/" + combinator + "/" + i));
                    }
                    return JsonAnyOfSchema.builder().description(description).anyOf(options).build();
                }
            }
            if (node.has("enum") || node.has("const")) {
                List<String> values = new ArrayList<>();
                JsonNode list = node.has("enum") ? node.get("enum") : node.path("const");
                for (JsonNode value : list.isArray() ? list : List.of(list)) {
                    if (!value.isTextual()) {
                        throw unsupported(param, path, "only string enum/const values are supported, got " + value);
                    }
                    values.add(value.asText());
                }
                return JsonEnumSchema.builder().description(description).enumValues(values).build();
            }
            JsonNode type = node.get("type");
            if (type != null && type.isArray()) {
                List<JsonSchemaElement> options = new ArrayList<>();
                for (JsonNode t : type) {
                    options.add(ofType(t.asText(), node, description, path));
                }
                return options.size() == 1 ? options.get(0)
                        : JsonAnyOfSchema.builder().description(description).anyOf(options).build();
            }
            if (type == null) {
                if (node.has("properties")) {
                    return ofType("object", node, description, path);
                }
                throw unsupported(param, path, "a schema needs a 'type' (or properties, enum, anyOf, $ref)");
            }
            return ofType(type.asText(), node, description, path);
        }

        private JsonSchemaElement ofType(String type, JsonNode node, String description, String path) {
            switch (type) {
                case "string":
                    return JsonStringSchema.builder().description(description).build();
                case "integer":
                    return JsonIntegerSchema.builder().description(description).build();
                case "number":
                    return JsonNumberSchema.builder().description(description).build();
                case "boolean":
                    return JsonBooleanSchema.builder().description(description).build();
                case "null":
                    return new JsonNullSchema();
                case "array": {
                    JsonArraySchema.Builder array = JsonArraySchema.builder().description(description);
                    if (node.has("items")) {
                        array.items(convert(node.get("items"), path + "/items"));
                    }
                    return array.build();
                }
                case "object": {
                    JsonObjectSchema.Builder object = JsonObjectSchema.builder().description(description);
                    JsonNode properties = node.path("properties");
                    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> property = it.next();
                        object.addProperty(property.getKey(),
                                convert(property.getValue(), path + "/properties/" + property.getKey()));
                    }
                    if (node.has("required")) {
                        List<String> required = new ArrayList<>();
                        node.get("required").forEach(name -> required.add(name.asText()));
                        object.required(required);
                    }
                    if (node.has("additionalProperties") && node.get("additionalProperties").isBoolean()) {
                        object.additionalProperties(node.get("additionalProperties").asBoolean());
                    }
                    return object.build();
                }
                default:
                    throw unsupported(param, path, "unknown type '" + type + "'");
            }
        }
    }

    private static OpenAiApiException unsupported(String param, String path, String what) {
        return OpenAiApiException.invalidRequest("Invalid schema for '" + param + "' at " + path + ": " + what + ".", param);
    }

    private static String describe(JsonNode node) {
        return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().name().toLowerCase() + " " + node;
    }
}
