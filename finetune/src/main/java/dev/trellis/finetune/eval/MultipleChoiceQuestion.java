package dev.trellis.finetune.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One multiple-choice question in the ARC layout:
 * {@code {"id", "question", "choices": {"text": [...], "label": [...]}, "answerKey"}}.
 */
public record MultipleChoiceQuestion(String id, String question, List<String> choices, List<String> labels,
                                     String answerKey) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public MultipleChoiceQuestion {
        choices = List.copyOf(choices);
        labels = List.copyOf(labels);
        if (choices.size() < 2) {
            throw new IllegalArgumentException("question " + id + " has " + choices.size() + " choices; it needs at least 2");
        }
        if (choices.size() != labels.size()) {
            throw new IllegalArgumentException("question " + id + " has " + choices.size() + " choice texts but "
                    + labels.size() + " labels; give one label per choice");
        }
        if (!labels.contains(answerKey)) {
            throw new IllegalArgumentException("question " + id + " has answerKey '" + answerKey
                    + "' which is none of its labels " + labels);
        }
    }

    /** Index of the correct choice. */
    public int gold() {
        return labels.indexOf(answerKey);
    }

    /** Reads an ARC-style JSONL file; blank lines are skipped, a malformed line fails with its number. */
    public static List<MultipleChoiceQuestion> readJsonl(Path file) {
        List<MultipleChoiceQuestion> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(parse(JSON.readTree(line)));
                } catch (IOException | RuntimeException e) {
                    throw new EvaluationException(file + " line " + n + " is not an ARC-style question "
                            + "({\"id\",\"question\",\"choices\":{\"text\":[...],\"label\":[...]},\"answerKey\"}): "
                            + e.getMessage(), e);
                }
            }
        } catch (NoSuchFileException e) {
            throw new EvaluationException(file + " does not exist; give a JSONL file of ARC-style questions", e);
        } catch (IOException e) {
            throw new EvaluationException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new EvaluationException(file + " holds no questions");
        }
        return out;
    }

    private static MultipleChoiceQuestion parse(JsonNode o) {
        String id = text(o, "id");
        JsonNode choices = o.path("choices");
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (JsonNode t : require(choices, "text")) {
            texts.add(t.asText());
        }
        for (JsonNode l : require(choices, "label")) {
            labels.add(l.asText());
        }
        return new MultipleChoiceQuestion(id, text(o, "question"), texts, labels, text(o, "answerKey"));
    }

    private static JsonNode require(JsonNode o, String field) {
        JsonNode n = o.path(field);
        if (!n.isArray()) {
            throw new IllegalArgumentException("'choices." + field + "' must be an array");
        }
        return n;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isValueNode()) {
            throw new IllegalArgumentException("missing or non-text field '" + field + "'");
        }
        return n.asText();
    }
}
