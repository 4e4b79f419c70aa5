package dev.trellis.finetune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading config.json fields with transformers' defaults and clear errors. */
final class Json {
    private Json() {
    }

    static int requireInt(JsonNode json, String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull() || !n.canConvertToInt()) {
            throw new CheckpointException(json.path("model_type").asText() + " config needs an integer '" + key
                    + "'; found " + n);
        }
        int v = n.asInt();
        if (v <= 0) {
            throw new CheckpointException("config field '" + key + "' must be positive; found " + v);
        }
        return v;
    }

    static int intOr(JsonNode json, String key, int dflt) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? dflt : requireInt(json, key);
    }

    static Integer intOrNull(JsonNode json, String key, Integer dflt) {
        JsonNode n = json.get(key);
        if (n == null) {
            return dflt;
        }
        if (n.isArray()) { // several eos ids: the first one is the one we generate with
            return n.isEmpty() ? null : n.get(0).asInt();
        }
        return n.isNull() ? null : n.asInt();
    }

    static double doubleOr(JsonNode json, String key, double dflt) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? dflt : n.asDouble();
    }

    static boolean boolOr(JsonNode json, String key, boolean dflt) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? dflt : n.asBoolean();
    }

    static String stringOr(JsonNode json, String key, String dflt) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    /** rope_theta from the field any transformers version writes it under. */
    static double ropeTheta(JsonNode json, String legacyKey, double dflt) {
        JsonNode params = json.get("rope_parameters");
        if (params != null && params.hasNonNull("rope_theta")) {
            return params.get("rope_theta").asDouble();
        }
        if (json.hasNonNull("rope_theta")) {
            return json.get("rope_theta").asDouble();
        }
        return legacyKey == null ? dflt : doubleOr(json, legacyKey, dflt);
    }

    static RopeScaling ropeScaling(JsonNode json) {
        RopeScaling s = RopeScaling.fromJson(json.get("rope_scaling"));
        return s != null ? s : RopeScaling.fromJson(json.get("rope_parameters"));
    }

    static void putNullable(ObjectNode n, String key, Integer v) {
        if (v == null) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }
}
