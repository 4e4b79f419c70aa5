package dev.trellis.finetune.train;

/**
 * A training configuration that cannot work, refused before any step runs. The message names the
 * field, what is wrong with it and what to do instead.
 */
public class TrainingConfigException extends IllegalArgumentException {

    private final String field;

    public TrainingConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The {@link TrainingArguments} field (or trainer input) at fault, e.g. {@code learningRate}. */
    public String field() {
        return field;
    }
}
