package dev.trellis.framework.chains.router;

/**
 * Prompt text for routers. {@link #MULTI_PROMPT_ROUTER_TEMPLATE} is formatted twice, as in
 * LangChain: first with {@code destinations} (turning <code>{{{{</code> into <code>{{</code> and
 * <code>{{input}}</code> into <code>{input}</code>), then as the router's own prompt with {@code input}.
 */
public final class RouterPrompts {

    private RouterPrompts() {
    }

    /** The answer format the router asks for, as it reads after both formatting passes. */
    static final String FORMAT_INSTRUCTIONS = """
            Answer with a markdown code block holding one JSON object like this:
            ```json
            {
                "destination": string \\ the name of the prompt to use, or "DEFAULT"
                "next_inputs": string \\ the input, revised if that helps
            }
            ```""";

    /** Our wording of LangChain's multi-prompt router template; variables {@code destinations}, then {@code input}. */
    public static final String MULTI_PROMPT_ROUTER_TEMPLATE = """
            You receive a raw text input meant for a language model. Pick the model prompt that \
            suits the input best. Below are the names of the available prompts, each with a \
            description of what it is good for. You may also rewrite the input if a rewritten \
            input would get a better answer from the language model.

            << FORMATTING >>
            Answer with a markdown code block holding one JSON object like this:
            ```json
            {{{{
                "destination": string \\ the name of the prompt to use, or "DEFAULT"
                "next_inputs": string \\ the input, revised if that helps
            }}}}
            ```

            REMEMBER: "destination" MUST be one of the candidate prompt names listed below, \
            or "DEFAULT" when none of them fits the input well.
            REMEMBER: "next_inputs" may simply be the original input when no change is needed.

            << CANDIDATE PROMPTS >>
            {destinations}

            << INPUT >>
            {{input}}

            << OUTPUT (remember the ```json block) >>""";
}
