package dev.trellis.framework.prompts;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A text prompt in Python {@code str.format} syntax, like LangChain's {@code PromptTemplate}:
 * {@code {product}} is a variable, {@code {{} and {@code }}} are literal braces, so templates
 * written for LangChain work unchanged.
 *
 * <pre>{@code
 * PromptTemplate prompt = PromptTemplate.fromTemplate("What is a good name for a company that makes {product}?");
 * prompt.inputVariables();                          // [product]
 * prompt.format(Map.of("product", "socks"));
 * }</pre>
 *
 * <p>Immutable; the template is parsed once, when it is built, so a malformed template fails
 * early with a {@link PromptTemplateException}.
 */
public final class PromptTemplate implements BasePromptTemplate {

    private final String name;
    private final String template;
    private final Map<String, Object> partialVariables;
    private final ParsedTemplate parsed;
    private final List<String> inputVariables;

    private PromptTemplate(Builder builder) {
        this.template = builder.template;
        this.name = builder.name != null ? builder.name : defaultName(template);
        this.parsed = ParsedTemplate.parse(name, template);
        this.partialVariables = Collections.unmodifiableMap(new LinkedHashMap<>(builder.partialVariables));
        List<String> inputs = new ArrayList<>();
        for (String variable : parsed.variableNames()) {
            if (!partialVariables.containsKey(variable)) {
                inputs.add(variable);
            }
        }
        this.inputVariables = List.copyOf(inputs);
        if (builder.inputVariables != null && !builder.inputVariables.equals(inputVariables)) {
            throw new PromptTemplateException("prompt '" + name + "': declared input variables "
                    + builder.inputVariables + " but the template uses " + inputVariables
                    + "; fix the declaration or leave it out (it is inferred)");
        }
    }

    /** A template with an inferred name, from its text. */
    public static PromptTemplate fromTemplate(String template) {
        return builder().template(template).build();
    }

    /** A named template; the name appears in error messages and traces. */
    public static PromptTemplate fromTemplate(String name, String template) {
        return builder().name(name).template(template).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Formats the template; values for partial variables may be given and then win. */
    public String format(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        return parsed.format(name, values, partialVariables);
    }

    /** One user message holding {@link #format(Map)}. */
    @Override
    public List<ChatMessage> formatMessages(Map<String, ?> values) {
        return List.of(UserMessage.from(format(values)));
    }

    @Override
    public PromptTemplate partial(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        for (String key : values.keySet()) {
            if (!parsed.variableNames().contains(key)) {
                throw new PromptTemplateException("prompt '" + name + "': partial variable '" + key
                        + "' is not used by the template; its variables are " + parsed.variableNames());
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>(partialVariables);
        merged.putAll(values);
        return builder().name(name).template(template).partialVariables(merged).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The template text as written. */
    public String template() {
        return template;
    }

    @Override
    public List<String> inputVariables() {
        return inputVariables;
    }

    /** Variables fixed with {@link #partial(Map)} or the builder. */
    public Map<String, Object> partialVariables() {
        return partialVariables;
    }

    @Override
    public String toString() {
        return "PromptTemplate[" + name + ", inputVariables=" + inputVariables + "]";
    }

    /** Nameless templates are named by the start of their text, so errors still point somewhere. */
    static String defaultName(String template) {
        if (template == null) {
            return "<null>";
        }
        String flat = template.strip().replaceAll("\\s+", " ");
        return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
    }

    /** Builds a {@link PromptTemplate}. */
    public static final class Builder {
        private String name;
        private String template;
        private List<String> inputVariables;
        private final Map<String, Object> partialVariables = new LinkedHashMap<>();

        private Builder() {
        }

        /** Optional name for messages and traces, e.g. {@code name_company}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder template(String template) {
            this.template = template;
            return this;
        }

        /** Optional: declares the variables; the build fails if the template uses others. */
        public Builder inputVariables(List<String> inputVariables) {
            this.inputVariables = List.copyOf(inputVariables);
            return this;
        }

        /** Fixes variables up front; a {@code Supplier} value is called at every format. */
        public Builder partialVariables(Map<String, ?> partialVariables) {
            this.partialVariables.putAll(partialVariables);
            return this;
        }

        public PromptTemplate build() {
            if (template == null) {
                throw new PromptTemplateException("PromptTemplate.builder(): template(...) is required");
            }
            return new PromptTemplate(this);
        }
    }
}
