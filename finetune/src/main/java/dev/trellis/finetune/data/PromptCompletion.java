package dev.trellis.finetune.data;

import java.util.Objects;

/**
 * An example after its template was applied: what the model is given and what it must produce.
 * The prompt is masked out of the loss by default; the completion is what is trained on.
 */
public record PromptCompletion(int line, String prompt, String completion) {

    public PromptCompletion {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
    }

    /** Prompt and completion as one training text (the course's {@code {"text": ...}} form). */
    public String text() {
        return prompt + completion;
    }
}
