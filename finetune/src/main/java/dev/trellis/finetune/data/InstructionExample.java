package dev.trellis.finetune.data;

import java.util.Map;
import java.util.Objects;

/**
 * One usable record: the prompt (question or instruction), the optional input, the answer, and all
 * of the record's fields (for user templates, group keys such as a product id, or a split column).
 *
 * @param line     1-based line in the source file where the record starts
 * @param prompt   the question or instruction; empty for a plain-text record
 * @param input    extra context for Alpaca-style records; empty when there is none
 * @param response the answer the model is trained to produce
 * @param fields   every field of the record, as text
 */
public record InstructionExample(int line, String prompt, String input, String response, Map<String, String> fields) {

    public InstructionExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(response, "response");
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields)); // keeps file order
    }

    /** A question/answer example with no source line (line 0). */
    public static InstructionExample of(String question, String answer) {
        return new InstructionExample(0, question, "", answer, Map.of("question", question, "answer", answer));
    }

    /** A field of the record, or {@code null} when absent. */
    public String field(String name) {
        return fields.get(name);
    }
}
