package dev.trellis.framework.chains.router;

import dev.trellis.framework.parsers.JsonMarkdown;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.parsers.OutputParserException;

import java.util.List;
import java.util.Map;

/**
 * Reads a router model's answer (LangChain's {@code RouterOutputParser}): a markdown JSON block
 * with {@code destination} (a prompt name or {@code DEFAULT}, any case) and {@code next_inputs}
 * (the possibly revised input, passed on under {@code input}).
 */
public final class RouterOutputParser implements OutputParser<Route> {

    private static final List<String> KEYS = List.of("destination", "next_inputs");

    private final String nextInputsKey;

    /** Passes {@code next_inputs} on as the variable {@code input}. */
    public RouterOutputParser() {
        this("input");
    }

    /** Passes {@code next_inputs} on under the given variable name. */
    public RouterOutputParser(String nextInputsKey) {
        this.nextInputsKey = nextInputsKey;
    }

    @Override
    public Route parse(String text) {
        Map<String, Object> json = JsonMarkdown.parseAndCheck(text, KEYS);
        Object destination = json.get("destination");
        if (!(destination instanceof String name) || name.isBlank()) {
            throw new OutputParserException("router answer's \"destination\" must be a non-empty string, found "
                    + destination, text);
        }
        Object next = json.get("next_inputs");
        if (!(next instanceof String nextText)) {
            throw new OutputParserException("router answer's \"next_inputs\" must be a string, found " + next, text);
        }
        String trimmed = name.strip();
        return new Route(trimmed.equalsIgnoreCase(Route.DEFAULT) ? Route.DEFAULT : trimmed, Map.of(nextInputsKey, nextText));
    }

    @Override
    public String formatInstructions() {
        return RouterPrompts.FORMAT_INSTRUCTIONS;
    }
}
