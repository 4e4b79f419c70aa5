package dev.trellis.framework.prompts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A template in Python {@code str.format} syntax, parsed once: literal pieces and fields
 * alternate. {@code {{} and {@code }}} stand for literal braces; a single brace that does not
 * open or close a field is an error, as in Python. A field is a variable name with an optional
 * conversion ({@code !r}, {@code !s}, {@code !a}) and format spec ({@code {price:.2f}}, see
 * {@link FormatSpec}); attribute access and indexing ({@code {a.b}}, {@code {a[0]}}) are refused,
 * as LangChain refuses them.
 */
final class ParsedTemplate {

    /** Literal text before each variable, then the tail: {@code literals.length == variables.length + 1}. */
    private final String[] literals;
    private final String[] variables;
    /** Per field: its format spec or null, and its conversion ('r', 's', 'a') or 0. */
    private final FormatSpec[] specs;
    private final char[] conversions;
    private final List<String> variableNames;
    private final int literalLength;

    private ParsedTemplate(List<String> literals, List<String> variables, List<FormatSpec> specs,
                           List<Character> conversions) {
        this.literals = literals.toArray(new String[0]);
        this.variables = variables.toArray(new String[0]);
        this.specs = specs.toArray(new FormatSpec[0]);
        this.conversions = new char[conversions.size()];
        for (int k = 0; k < this.conversions.length; k++) {
            this.conversions[k] = conversions.get(k);
        }
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
        List<FormatSpec> specs = new ArrayList<>();
        List<Character> conversions = new ArrayList<>();
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
                int specAt = field.indexOf(':');
                String spec = specAt < 0 ? null : field.substring(specAt + 1);
                String head = specAt < 0 ? field : field.substring(0, specAt);
                int bang = head.indexOf('!');
                char conversion = 0;
                if (bang >= 0) {
                    String conv = head.substring(bang + 1);
                    if (conv.length() != 1 || "rsa".indexOf(conv.charAt(0)) < 0) {
                        throw error(name, template, i, "field '{" + field + "}' has conversion '!" + conv
                                + "'", "use !r, !s or !a, or none");
                    }
                    conversion = conv.charAt(0);
                    head = head.substring(0, bang);
                }
                checkField(name, template, i, head);
                FormatSpec parsedSpec = null;
                if (spec != null && !spec.isEmpty()) {
                    try {
                        parsedSpec = FormatSpec.parse(spec);
                    } catch (IllegalArgumentException bad) {
                        throw error(name, template, i, "field '{" + field + "}': " + bad.getMessage(),
                                "fix the spec (Python's format-spec mini-language) or write '{{' and '}}' for literal braces");
                    }
                }
                literals.add(literal.toString());
                literal.setLength(0);
                variables.add(head);
                specs.add(parsedSpec);
                conversions.add(conversion);
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
        return new ParsedTemplate(literals, variables, specs, conversions);
    }

    private static void checkField(String name, String template, int at, String field) {
        if (field.isBlank()) {
            throw error(name, template, at, "empty field '{}' (positional fields are not supported)",
                    "name the variable, e.g. {input}, or write '{{}}' for literal braces");
        }
        if (field.indexOf('"') >= 0 || field.indexOf('\'') >= 0) {
            throw error(name, template, at, "field '{" + field + "...}' is not a variable name (it holds quotes)",
                    "write '{{' and '}}' for literal braces, e.g. in a JSON example");
        }
        for (int k = 0; k < field.length(); k++) {
            char ch = field.charAt(k);
            if (ch == '.' || ch == '[' || ch == ']') {
                throw error(name, template, at, "field '{" + field + "}' uses attribute access or indexing, "
                        + "which templates do not support (LangChain refuses them too)",
                        "pass the value itself as a variable, or write '{{' and '}}' for literal braces");
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
            FormatSpec spec = specs[k];
            char conversion = conversions[k];
            if (spec == null && conversion == 0) {
                out.append(PromptValues.render(value));
                continue;
            }
            Object resolved = value instanceof java.util.function.Supplier<?> supplier ? supplier.get() : value;
            String text = conversion == 'r' || conversion == 'a' ? PromptValues.repr(resolved, conversion == 'a')
                    : PromptValues.render(resolved);
            if (spec == null) {
                out.append(text);
                continue;
            }
            try {
                out.append(spec.apply(conversion == 0 ? resolved : text, text));
            } catch (IllegalArgumentException | ArithmeticException bad) {
                throw new PromptTemplateException("prompt '" + name + "': variable '" + variable + "': "
                        + bad.getMessage());
            }
        }
        out.append(literals[variables.length]);
        return out.toString();
    }

    private static List<String> givenNames(Map<String, ?> values) {
        Set<String> names = new LinkedHashSet<>(values.keySet());
        return new ArrayList<>(names);
    }
}
