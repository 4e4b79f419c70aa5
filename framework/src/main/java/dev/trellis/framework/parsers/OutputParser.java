package dev.trellis.framework.parsers;

/**
 * Turns a model's text into a value, like LangChain's {@code BaseOutputParser}.
 *
 * @param <T> what the text becomes
 */
public interface OutputParser<T> {

    /** Parses the text, or throws {@link OutputParserException} quoting it. */
    T parse(String text);

    /** Instructions to put into a prompt so the model answers in the parsable format; empty if none. */
    default String formatInstructions() {
        return "";
    }
}
