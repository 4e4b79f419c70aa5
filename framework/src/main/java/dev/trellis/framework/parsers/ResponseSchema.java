package dev.trellis.framework.parsers;

/**
 * One field a {@link StructuredOutputParser} asks the model for (LangChain's {@code ResponseSchema}).
 *
 * @param name        the JSON key
 * @param description what the value should be, shown to the model
 * @param type        the type shown to the model, e.g. {@code string}, {@code list}, {@code boolean}
 */
public record ResponseSchema(String name, String description, String type) {

    public ResponseSchema {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("ResponseSchema needs a name (the JSON key)");
        }
        description = description == null ? "" : description;
        type = type == null || type.isBlank() ? "string" : type;
    }

    /** A string field. */
    public ResponseSchema(String name, String description) {
        this(name, description, "string");
    }
}
