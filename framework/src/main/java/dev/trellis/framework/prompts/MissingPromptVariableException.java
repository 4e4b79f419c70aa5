package dev.trellis.framework.prompts;

import java.util.Collection;
import java.util.List;

/**
 * Formatting a prompt without a value for one of its variables, e.g.
 * {@code prompt 'name_company' needs variable 'product'; given: [Review]}.
 */
public class MissingPromptVariableException extends PromptTemplateException {

    private final String templateName;
    private final String variable;
    private final List<String> given;

    public MissingPromptVariableException(String templateName, String variable, Collection<String> given) {
        super("prompt '" + templateName + "' needs variable '" + variable + "'; given: " + given
                + " (pass it to format(...) or fix it with partial(...))");
        this.templateName = templateName;
        this.variable = variable;
        this.given = List.copyOf(given);
    }

    /** The name of the template, or a short excerpt of its text when it has none. */
    public String templateName() {
        return templateName;
    }

    /** The variable that had no value. */
    public String variable() {
        return variable;
    }

    /** The variable names that were given. */
    public List<String> given() {
        return given;
    }
}
