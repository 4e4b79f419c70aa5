package dev.trellis.framework.chains.router;

/**
 * One destination of a {@link MultiPromptChain}: its name, what it is good for (shown to the
 * router model) and its prompt template, which reads the variable {@code input}.
 */
public record PromptInfo(String name, String description, String template) {

    public PromptInfo {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("PromptInfo needs a name, e.g. \"physics\"");
        }
        if (name.strip().equalsIgnoreCase(Route.DEFAULT)) {
            throw new IllegalArgumentException("PromptInfo name '" + name + "' is reserved for the default chain; choose another");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("PromptInfo '" + name + "' needs a description: the router chooses by it");
        }
        if (template == null) {
            throw new IllegalArgumentException("PromptInfo '" + name + "' needs a prompt template");
        }
    }
}
