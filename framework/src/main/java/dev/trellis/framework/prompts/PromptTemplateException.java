package dev.trellis.framework.prompts;

/** A template that cannot be parsed or used: unbalanced braces, an empty or unsupported field, a bad partial. */
public class PromptTemplateException extends IllegalArgumentException {

    public PromptTemplateException(String message) {
        super(message);
    }
}
