package dev.trellis.framework.prompts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A template in Python {@code str.format} syntax, parsed once: literal pieces and variable names
 * alternate. {@code {{} and {@code }}} stand for literal braces; a single brace that does not
 * open or close a field is an error, as in Python.
 */
final class ParsedTemplate {

    /** Literal text before each variable, then the tail: {@code literals.length == variables.length + 1}. */
    private final String[] literals;
    private final String[] variables;
    private final List<String> variableNames;
    private final int literalLength;

    private ParsedTemplate(List<String> literals, List<String> variables) {
        this.literals = literals.toArray(new String[0]);
        this.variables = variables.toArray(new String[0]);
        this.variableNames = List.copyOf(new LinkedHashSet<>(variables));
        int length = 0;
        for (String literal : literals) {
            length += literal.length();
        }
        this.literalLength = length;
    }

    static ParsedTemplate parse(String name, String template) {
        if (template == null) {
            throw new PromptTemplateException("prompt '" + name + "': template text is null");
        }
        List<String> literals = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int n = template.length();
        int i = 0;
        while (i < n) {
            char c = template.charAt(i);
            if (c == '{') {
                if (i + 1 < n && template.charAt(i + 1) == '{') {
                    literal.append('{');
                    i += 2;
                    continue;
                }
                int close = template.indexOf('}', i + 1);
                int nestedOpen = template.indexOf('{', i + 1);
                if (close < 0) {
                    throw error(name, template, i, "'{' is never closed",
                            "write '{{' for a literal brace or close the variable with '}'");
                }
                if (nestedOpen >= 0 && nestedOpen < close) {
                    throw error(name, template, i, "'{' opens a field that contains another '{'",
                            "write '{{' and '}}' for literal braces, e.g. in a JSON example");
                }
                String field = template.substring(i + 1, close);
                checkField(name, template, i, field);
                literals.add(literal.toString());
                literal.setLength(0);
                variables.add(field);
                i = close + 1;
            } else if (c == '}') {
                if (i + 1 < n && template.charAt(i + 1) == '}') {
                    literal.append('}');
                    i += 2;
                    continue;
                }
                throw error(name, template, i, "single '}' closes nothing",
                        "write '}}' for a literal brace");
            } else {
                literal.append(c);
                i++;
            }
        }
        literals.add(literal.toString());
        return new ParsedTemplate(literals, variables);
    }

    private static void checkField(String name, String template, int at, String field) {
        if (field.isBlank()) {
            throw error(name, template, at, "empty field '{}' (positional fields are not supported)",
                    "name the variable, e.g. {input}, or write '{{}}' for literal braces");
        }
        for (int k = 0; k < field.length(); k++) {
            char ch = field.charAt(k);
            if (ch == ':' || ch == '!' || ch == '.' || ch == '[' || ch == ']') {
                throw error(name, template, at, "field '{" + field + "}' uses format specs, attributes or "
                        + "indexing, which Trellis templates do not support",
                        "use a plain variable name, or write '{{' and '}}' for literal braces");
            }
        }
        if (!field.equals(field.strip())) {
            throw error(name, template, at, "field '{" + field + "}' has surrounding spaces",
                    "write '{" + field.strip() + "}'");
        }
    }

    private static PromptTemplateException error(String name, String template, int at, String what, String fix) {
        int from = Math.max(0, at - 20);
        int to = Math.min(template.length(), at + 20);
        String context = template.substring(from, to).replace("\n", "\\n");
        return new PromptTemplateException("prompt '" + name + "': " + what + " at position " + at
                + " (near \"" + context + "\"); " + fix);
    }

    /** Variable names in order of first appearance. */
    List<String> variableNames() {
        return variableNames;
    }

    /**
     * Fills in the variables: values come from {@code values} first, then {@code partials}.
     * Values are rendered with {@link String#valueOf(Object)}.
     */
    String format(String name, Map<String, ?> values, Map<String, ?> partials) {
        StringBuilder out = new StringBuilder(literalLength + 16 * variables.length);
        for (int k = 0; k < variables.length; k++) {
            out.append(literals[k]);
            String variable = variables[k];
            Object value = values.get(variable);
            if (value == null && !values.containsKey(variable)) {
                value = partials.get(variable);
                if (value == null && !partials.containsKey(variable)) {
                    throw new MissingPromptVariableException(name, variable, givenNames(values));
                }
            }
            out.append(PromptValues.render(value));
        }
        out.append(literals[variables.length]);
        return out.toString();
    }

    private static List<String> givenNames(Map<String, ?> values) {
        Set<String> names = new LinkedHashSet<>(values.keySet());
        return new ArrayList<>(names);
    }
}
