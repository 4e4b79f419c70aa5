package dev.trellis.finetune.eval;

import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One test question with its reference answer; {@code id} names it in reports. */
public record EvaluationExample(String id, String question, String reference) {

    public EvaluationExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(reference, "reference");
    }

    /**
     * The examples of a (test) split: question = the prompt (plus its input, after a blank line,
     * when there is one), reference = the response; ids are the source line numbers.
     */
    public static List<EvaluationExample> of(InstructionDataset dataset) {
        List<EvaluationExample> out = new ArrayList<>(dataset.size());
        for (InstructionExample e : dataset.examples()) {
            String q = e.input().isBlank() ? e.prompt() : e.prompt() + "\n\n" + e.input();
            out.add(new EvaluationExample("line-" + e.line(), q, e.response()));
        }
        return out;
    }
}
