package dev.trellis.finetune.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text a model sees before its answer, with {@code {name}} placeholders ({@code {{} and
 * {@code }}} stand for literal braces, as in Python's {@code str.format}).
 *
 * <p>A placeholder is filled from the example's field of that name, else by role:
 * {@code {question}}, {@code {instruction}} and {@code {prompt}} take the example's prompt and
 * {@code {input}} its input. Alpaca-style templates have a second form for examples without
 * input. Every built-in prompt ends with a newline, so the prompt and the answer never share a
 * token and the trained boundary matches what generation is given.
 *
 * <p>{@link #toMap()} / {@link #fromMap(Map)} carry a template into a checkpoint's
 * {@code trellis.json}, so a finetuned model is prompted exactly as it was trained.
 */
public final class InstructionTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{|}}|\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** The course's question/answer template: {@code ### Question:} then {@code ### Answer:}. */
    public static final InstructionTemplate QUESTION_ANSWER = new InstructionTemplate("question_answer",
            "### Question:\n{question}\n\n### Answer:\n", null);

    /** Alpaca's instruction template, with and without an input block. */
    public static final InstructionTemplate ALPACA = new InstructionTemplate("alpaca",
            "Below is an instruction that describes a task, paired with an input that provides further context. "
                    + "Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n",
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Response:\n");

    /** No template: the prompt as it is, followed directly by the answer (the course's raw concatenation). */
    public static final InstructionTemplate NONE = new InstructionTemplate("none", "{prompt}", null);

    private final String name;
    private final String withInput;
    private final String withoutInput;

    private InstructionTemplate(String name, String withInput, String withoutInput) {
        this.name = Objects.requireNonNull(name, "name");
        this.withInput = Objects.requireNonNull(withInput, "template");
        this.withoutInput = withoutInput;
        validate(withInput);
        if (withoutInput != null) {
            validate(withoutInput);
        }
    }

    /** A user template, e.g. {@code "Context:\n{context}\n\nQuestion: {question}\nAnswer: "}. */
    public static InstructionTemplate of(String name, String template) {
        return new InstructionTemplate(name, template, null);
    }

    /** A user template with a second form for examples whose input is empty. */
    public static InstructionTemplate of(String name, String withInput, String withoutInput) {
        return new InstructionTemplate(name, withInput, Objects.requireNonNull(withoutInput, "withoutInput"));
    }

    /**
     * The template's section headers ({@code ### Question:}, {@code ### Answer:}...): a model that starts one has
     * finished its answer and begun to invent the next example, so generation stops there (they are stop sequences
     * of every local answer).
     */
    public List<String> markers() {
        Set<String> out = new LinkedHashSet<>();
        for (String t : withoutInput == null ? List.of(withInput) : List.of(withInput, withoutInput)) {
            for (String line : t.split("\n")) {
                String l = line.strip();
                if (l.startsWith("#") && l.endsWith(":") && l.length() > 2) {
                    out.add(l);
                }
            }
        }
        return List.copyOf(out);
    }

    /** A built-in template by name ({@code question_answer}, {@code alpaca}, {@code none}). */
    public static InstructionTemplate named(String name) {
        for (InstructionTemplate t : List.of(QUESTION_ANSWER, ALPACA, NONE)) {
            if (t.name.equals(name)) {
                return t;
            }
        }
        throw new DatasetFormatException("no built-in prompt template named '" + name
                + "'; built-ins are question_answer, alpaca and none, or use InstructionTemplate.of(name, text)");
    }

    public String name() {
        return name;
    }

    /** Placeholder names the template uses (both forms). */
    public Set<String> variables() {
        Set<String> out = new LinkedHashSet<>(variablesOf(withInput));
        if (withoutInput != null) {
            out.addAll(variablesOf(withoutInput));
        }
        return out;
    }

    /** The prompt for {@code example}: the without-input form when it has one and the input is blank. */
    public String format(InstructionExample example) {
        String template = withoutInput != null && example.input().isBlank() ? withoutInput : withInput;
        return fill(template, example);
    }

    /** The prompt for a bare question (at inference time). */
    public String format(String question) {
        return format(new InstructionExample(0, question, "", "", Map.of()));
    }

    private String fill(String template, InstructionExample example) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String token = m.group();
            String value;
            if (token.equals("{{")) {
                value = "{";
            } else if (token.equals("}}")) {
                value = "}";
            } else {
                value = lookup(m.group(1), example);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String lookup(String var, InstructionExample example) {
        String v = example.fields().get(var);
        if (v != null) {
            return v;
        }
        switch (var) {
            case "question", "instruction", "prompt":
                return example.prompt();
            case "input":
                return example.input();
            default:
                throw new DatasetFormatException("prompt template '" + name + "' needs variable '" + var
                        + "' but the record at line " + example.line() + " has only "
                        + new TreeSet<>(example.fields().keySet()) + " (and the roles question/instruction/prompt/input)");
        }
    }

    /** The template as a small JSON-ready map (for {@code trellis.json}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("template", withInput);
        if (withoutInput != null) {
            m.put("template_without_input", withoutInput);
        }
        return m;
    }

    /** Inverse of {@link #toMap()}. */
    public static InstructionTemplate fromMap(Map<String, ?> map) {
        Object name = map.get("name");
        Object template = map.get("template");
        if (!(name instanceof String) || !(template instanceof String)) {
            throw new DatasetFormatException("a prompt template needs string fields 'name' and 'template'; got " + map.keySet());
        }
        Object without = map.get("template_without_input");
        return new InstructionTemplate((String) name, (String) template, without == null ? null : without.toString());
    }

    private static void validate(String template) {
        String rest = PLACEHOLDER.matcher(template).replaceAll("");
        if (rest.contains("{") || rest.contains("}")) {
            throw new DatasetFormatException("prompt template has an unmatched or malformed brace: " + abbreviate(template)
                    + "; placeholders look like {question}, literal braces are written {{ and }}");
        }
    }

    private static List<String> variablesOf(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (m.group(1) != null) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 77) + "...'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstructionTemplate t && t.name.equals(name) && t.withInput.equals(withInput)
                && Objects.equals(t.withoutInput, withoutInput);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, withInput, withoutInput);
    }

    @Override
    public String toString() {
        return "InstructionTemplate[" + name + "]";
    }
}
