package dev.trellis.finetune.data;

/**
 * One record that could not be used, with the line it starts on (1-based) in its source.
 * For a JSON array the line is where the element's object opens; for CSV, where its row starts.
 */
public record BadRecord(String source, int line, Reason reason, String detail) {

    /** Why a record was rejected. */
    public enum Reason {
        /** The line or element is not a JSON object. */
        INVALID_JSON,
        /** A field the mapping needs is absent or null. */
        MISSING_FIELD,
        /** The answer / response / output is empty or blank. */
        EMPTY_ANSWER,
        /** A prompt, input or answer field holds a JSON object or array instead of text. */
        WRONG_TYPE,
        /** The tokenized example does not fit the maximum length (and truncation is off or leaves no answer). */
        OVER_LONG,
        /** The text encodes to the end-of-sequence or pad id, which would end the example early. */
        CONTROL_TOKEN_IN_TEXT
    }

    @Override
    public String toString() {
        return source + ":" + line + ": " + reason + " (" + detail + ")";
    }
}
