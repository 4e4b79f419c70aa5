package dev.trellis.finetune.data;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which fields of a record hold the prompt, the optional input and the answer.
 *
 * <p>{@link #detect} looks for the same pairs as the course's preprocessing, in this order:
 * {@code question}/{@code answer}, {@code instruction}/{@code response}, {@code instruction}/{@code output}
 * (Alpaca), {@code input}/{@code output}, and a lone {@code text}. An instruction pair also picks up an
 * {@code input} field when the file has one. A {@code text} record has no prompt: the whole text is
 * the answer, so every token is trained on.
 *
 * @param promptKey   field of the question or instruction; {@code null} for plain text
 * @param inputKey    field of the optional extra context (Alpaca's {@code input}); {@code null} for none
 * @param responseKey field of the answer, response, output or text
 */
public record FieldMapping(String promptKey, String inputKey, String responseKey) {

    /** The course's question/answer pair. */
    public static final FieldMapping QUESTION_ANSWER = new FieldMapping("question", null, "answer");
    /** A plain-text record, trained on whole. */
    public static final FieldMapping TEXT = new FieldMapping(null, null, "text");

    private static final List<FieldMapping> KNOWN = List.of(
            QUESTION_ANSWER,
            new FieldMapping("instruction", "input", "response"),
            new FieldMapping("instruction", "input", "output"),
            new FieldMapping("input", null, "output"),
            TEXT);

    public FieldMapping {
        Objects.requireNonNull(responseKey, "responseKey");
    }

    /** A prompt/answer pair with the caller's field names. */
    public static FieldMapping of(String promptKey, String responseKey) {
        return new FieldMapping(Objects.requireNonNull(promptKey, "promptKey"), null, responseKey);
    }

    /** This mapping plus an optional input field. */
    public FieldMapping withInputKey(String inputKey) {
        return new FieldMapping(promptKey, inputKey, responseKey);
    }

    /** The first known pair present in {@code keys}; an error listing the keys found if there is none. */
    public static FieldMapping detect(Collection<String> keys, String source) {
        for (FieldMapping m : KNOWN) {
            if ((m.promptKey == null || keys.contains(m.promptKey)) && keys.contains(m.responseKey)) {
                String input = m.inputKey != null && keys.contains(m.inputKey) ? m.inputKey : null;
                return new FieldMapping(m.promptKey, input, m.responseKey);
            }
        }
        throw new DatasetFormatException(source + " has none of the field pairs question/answer, "
                + "instruction/response, instruction/output, input/output or text; its fields are "
                + new TreeSet<>(keys) + ". Name the fields with fields(FieldMapping.of(\"yourPrompt\", \"yourAnswer\")).");
    }

    /** The fields a record must have (the input field is optional). */
    public List<String> requiredKeys() {
        return promptKey == null ? List.of(responseKey) : List.of(promptKey, responseKey);
    }

    public Optional<String> input() {
        return Optional.ofNullable(inputKey);
    }

    /** True for a plain-text mapping, where there is no prompt to mask. */
    public boolean isTextOnly() {
        return promptKey == null;
    }
}
