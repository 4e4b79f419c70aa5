package dev.trellis.framework.chains.router;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.BaseChain;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.tracing.ChainRun;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks a model where an input should go (LangChain's {@code LLMRouterChain}): formats the router
 * prompt, parses the answer with {@link RouterOutputParser}, and outputs {@code destination} and
 * {@code next_inputs}.
 */
public class LlmRouterChain extends BaseChain {

    private static final List<String> OUTPUT_KEYS = List.of("destination", "next_inputs");

    private final LlmChain llmChain;
    private final RouterOutputParser parser;

    public LlmRouterChain(ChatModel llm, BasePromptTemplate prompt, RouterOutputParser parser) {
        super("LlmRouterChain", false, List.of());
        this.parser = parser;
        this.llmChain = LlmChain.builder().name("router").llm(llm).prompt(prompt).build();
    }

    /** LangChain's {@code LLMRouterChain.from_llm(llm, prompt)}. */
    public static LlmRouterChain fromLlm(ChatModel llm, BasePromptTemplate prompt) {
        return new LlmRouterChain(llm, prompt, new RouterOutputParser());
    }

    @Override
    public List<String> inputKeys() {
        return llmChain.inputKeys();
    }

    @Override
    public List<String> outputKeys() {
        return OUTPUT_KEYS;
    }

    /** Runs the router and returns its decision. */
    @SuppressWarnings("unchecked")
    public Route route(Map<String, Object> inputs) {
        Map<String, Object> result = call(inputs);
        return new Route((String) result.get("destination"), (Map<String, Object>) result.get("next_inputs"));
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        String text = llmChain.predict(inputs);
        Route route = parser.parse(text);
        Map<String, Object> out = new LinkedHashMap<>(3);
        out.put("destination", route.destination());
        out.put("next_inputs", route.nextInputs());
        return out;
    }
}
