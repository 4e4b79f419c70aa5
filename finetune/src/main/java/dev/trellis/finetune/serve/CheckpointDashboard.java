package dev.trellis.finetune.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the dashboard page shows about the served checkpoint, read from its directory on each
 * request (a trainer may still be appending): the {@code trellis.json} provenance, the model's
 * {@code config.json}, the training metrics ({@code metrics.jsonl}, drawn by the page when there
 * is no {@code loss.png}), and the evaluation written by the evaluator ({@code eval.jsonl} rows,
 * {@code eval.md}). A file that is absent is reported as absent; one that does not parse is
 * reported with the parser's message instead of failing the page.
 */
final class CheckpointDashboard {

    static final String LOSS_PNG = "loss.png";
    private static final int MAX_ROWS = 2000;

    private final Path dir;

    CheckpointDashboard(Path dir) {
        this.dir = dir;
    }

    ObjectNode summary(String modelId) {
        ObjectNode body = OpenAiResponses.JSON.createObjectNode();
        body.put("model", modelId);
        if (dir == null) {
            body.putNull("checkpoint");
            return body;
        }
        body.put("checkpoint", dir.toAbsolutePath().toString());
        body.set("manifest", jsonFile("trellis.json"));
        body.set("config", jsonFile("config.json"));
        body.set("generation_config", jsonFile("generation_config.json"));
        body.set("metrics", jsonLines("metrics.jsonl"));
        body.put("loss_png", Files.isRegularFile(dir.resolve(LOSS_PNG)));
        body.set("eval", jsonLines("eval.jsonl"));
        Path markdown = dir.resolve("eval.md");
        if (Files.isRegularFile(markdown)) {
            body.put("eval_md", read(markdown));
        } else {
            body.putNull("eval_md");
        }
        return body;
    }

    /** The loss curve image, or null when the checkpoint has none. */
    Path lossPng() {
        if (dir == null) {
            return null;
        }
        Path png = dir.resolve(LOSS_PNG);
        return Files.isRegularFile(png) ? png : null;
    }

    private JsonNode jsonFile(String name) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return OpenAiResponses.JSON.nullNode();
        }
        try {
            return OpenAiResponses.JSON.readTree(read(file));
        } catch (JsonProcessingException e) {
            return problem(name, e.getOriginalMessage());
        }
    }

    private JsonNode jsonLines(String name) {
        Path file = dir.resolve(name);
        // An intermediate checkpoint (out/checkpoint-500) shares its run's metrics in the output directory.
        if (!Files.isRegularFile(file) && dir.getFileName() != null && dir.getFileName().toString().startsWith("checkpoint-")
                && dir.toAbsolutePath().getParent() != null) {
            file = dir.toAbsolutePath().getParent().resolve(name);
        }
        if (!Files.isRegularFile(file)) {
            return OpenAiResponses.JSON.nullNode();
        }
        ArrayNode rows = OpenAiResponses.JSON.createArrayNode();
        List<String> lines = List.of(read(file).split("\n"));
        // Down-sample long files evenly (always keeping the last line): the page draws a curve, not every step.
        int stride = Math.max(1, lines.size() / MAX_ROWS);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || (i % stride != 0 && i != lines.size() - 1)) {
                continue;
            }
            try {
                rows.add(OpenAiResponses.JSON.readTree(line));
            } catch (JsonProcessingException e) {
                // A trainer may be mid-write on the last line; skip only that one.
                if (i != lines.size() - 1) {
                    return problem(name + " line " + (i + 1), e.getOriginalMessage());
                }
            }
        }
        return rows;
    }

    private static ObjectNode problem(String what, String message) {
        ObjectNode node = OpenAiResponses.JSON.createObjectNode();
        node.put("unreadable", what + ": " + message);
        return node;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
