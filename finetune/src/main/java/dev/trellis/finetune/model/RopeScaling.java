package dev.trellis.finetune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RoPE position interpolation, config.json's {@code rope_scaling}. Only {@code linear} is supported:
 * every position is divided by {@code factor}, so a model trained on N tokens sees N * factor tokens
 * at the angles it knows (the "extend the context window" technique).
 *
 * @param type   the scaling type; {@code "linear"}
 * @param factor how many times longer the context becomes; greater than or equal to 1
 */
public record RopeScaling(String type, double factor) {

    public RopeScaling {
        if (!"linear".equals(type)) {
            throw new CheckpointException("rope_scaling type '" + type + "' is not supported; Trellis implements 'linear' "
                    + "(position interpolation). Remove rope_scaling or use {\"type\": \"linear\", \"factor\": F}");
        }
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new CheckpointException("rope_scaling factor must be a finite number >= 1; got " + factor);
        }
    }

    /** Linear position interpolation by {@code factor}. */
    public static RopeScaling linear(double factor) {
        return new RopeScaling("linear", factor);
    }

    static RopeScaling fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = node.hasNonNull("rope_type") ? node.get("rope_type").asText() : node.path("type").asText(null);
        if ("default".equals(type)) {
            return null;
        }
        if (!node.hasNonNull("factor")) {
            throw new CheckpointException("rope_scaling " + node + " has no 'factor'");
        }
        return new RopeScaling(type, node.get("factor").asDouble());
    }

    void writeTo(ObjectNode parent) {
        ObjectNode n = parent.putObject("rope_scaling");
        n.put("rope_type", type);
        n.put("type", type);
        n.put("factor", factor);
    }
}
