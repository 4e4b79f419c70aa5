package dev.trellis.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.framework.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code trellis.json} in a checkpoint directory: what a Hugging Face checkpoint does not record but a
 * Trellis model needs to be used the way it was trained — the prompt template its examples were
 * rendered with, the base it started from, and the training provenance (arguments, data, steps,
 * final losses) that the dashboard and the evaluation report show.
 *
 * <p>Written by the trainer next to {@code config.json}, {@code model.safetensors} and
 * {@code tokenizer.json}; read by {@code LocalChatModel} and {@code trellis serve}. A checkpoint
 * without it (a downloaded Pythia) is used with the plain question/answer template.
 *
 * @param template   the template the training examples were rendered with
 * @param baseModel  where training started: a directory, or a built-in name such as {@code trellis-tiny}
 * @param training   free-form provenance: arguments, dataset path and hash, steps, losses, timings
 */
public record TrellisManifest(InstructionTemplate template, String baseModel, Map<String, Object> training) {

    /** The file name inside a checkpoint directory. */
    public static final String FILE = "trellis.json";

    private static final String FORMAT = "trellis-checkpoint";
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrellisManifest {
        Objects.requireNonNull(template, "template");
        baseModel = baseModel == null ? "" : baseModel;
        training = training == null ? Map.of() : Map.copyOf(training);
    }

    /** Writes {@code dir/trellis.json} atomically. */
    public void write(Path dir) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("template", template.toMap());
        root.put("base_model", baseModel);
        root.put("training", training);
        try {
            AtomicFiles.write(dir.resolve(FILE), JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise " + FILE + " for " + dir + ": " + e.getMessage(), e);
        }
    }

    /** True when {@code dir} holds a {@code trellis.json}. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /**
     * Reads {@code dir/trellis.json}; a checkpoint without one gets the question/answer template and
     * no provenance, so downloaded Hugging Face checkpoints work unchanged.
     */
    public static TrellisManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return new TrellisManifest(InstructionTemplate.QUESTION_ANSWER, dir.toString(), Map.of());
        }
        Map<String, Object> root;
        try {
            root = JSON.readValue(file.toFile(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid JSON (" + e.getMessage()
                    + "); delete it to fall back to the question/answer template, or re-save the checkpoint", e);
        }
        if (!FORMAT.equals(root.get("format"))) {
            throw new IllegalArgumentException(file + " has format " + root.get("format") + ", expected '" + FORMAT
                    + "'; it was not written by Trellis");
        }
        if (!(root.get("template") instanceof Map<?, ?> template)) {
            throw new IllegalArgumentException(file + " has no 'template' object; re-save the checkpoint with Trellis");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> templateMap = (Map<String, ?>) template;
        @SuppressWarnings("unchecked")
        Map<String, Object> training = root.get("training") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
        Object base = root.get("base_model");
        return new TrellisManifest(InstructionTemplate.fromMap(templateMap), base == null ? "" : base.toString(), training);
    }
}
