package dev.trellis.framework.chains.router;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.BaseChain;
import dev.trellis.framework.chains.Chain;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Routes each input to the best of several prompts (LangChain's {@code MultiPromptChain}): a
 * router chain picks a destination, which then answers; {@code DEFAULT} goes to the default chain.
 *
 * <pre>{@code
 * MultiPromptChain chain = MultiPromptChain.fromPrompts(llm, List.of(
 *         new PromptInfo("physics", "Good for answering questions about physics", physicsTemplate),
 *         new PromptInfo("math", "Good for answering math questions", mathTemplate)),
 *     new LlmChain(llm, ChatPromptTemplate.fromTemplate("{input}")));
 * chain.run("What is black body radiation?");
 * }</pre>
 *
 * <p>A destination that does not exist is an {@link UnknownDestinationException}, or goes to the
 * default chain when built with {@code silentErrors(true)}.
 */
public class MultiPromptChain extends BaseChain {

    private final LlmRouterChain routerChain;
    private final Map<String, Chain> destinationChains;
    private final Chain defaultChain;
    private final boolean silentErrors;

    protected MultiPromptChain(Builder builder) {
        super(builder);
        this.routerChain = Objects.requireNonNull(builder.routerChain, "MultiPromptChain needs routerChain(...)");
        this.defaultChain = Objects.requireNonNull(builder.defaultChain, "MultiPromptChain needs defaultChain(...)");
        this.destinationChains = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.destinationChains));
        this.silentErrors = builder.silentErrors;
        for (Map.Entry<String, Chain> e : destinationChains.entrySet()) {
            if (!e.getValue().outputKeys().equals(defaultChain.outputKeys())) {
                throw new ChainValidationException("MultiPromptChain: destination '" + e.getKey() + "' outputs "
                        + e.getValue().outputKeys() + " but the default chain outputs " + defaultChain.outputKeys()
                        + "; every destination must output the same keys");
            }
        }
    }

    /** LangChain's {@code MultiPromptChain.from_prompts}: one {@link LlmChain} per prompt, routed by the model. */
    public static MultiPromptChain fromPrompts(ChatModel llm, List<PromptInfo> promptInfos, Chain defaultChain) {
        return builder().llm(llm).promptInfos(promptInfos).defaultChain(defaultChain).build();
    }

    /** As {@link #fromPrompts(ChatModel, List, Chain)} with a default chain that sends the input as it is. */
    public static MultiPromptChain fromPrompts(ChatModel llm, List<PromptInfo> promptInfos) {
        return builder().llm(llm).promptInfos(promptInfos).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The router prompt for these destinations: {@link RouterPrompts#MULTI_PROMPT_ROUTER_TEMPLATE} filled in. */
    public static PromptTemplate routerPrompt(List<PromptInfo> promptInfos) {
        List<String> lines = new ArrayList<>();
        for (PromptInfo info : promptInfos) {
            lines.add(info.name() + ": " + info.description());
        }
        String routerTemplate = PromptTemplate.fromTemplate(RouterPrompts.MULTI_PROMPT_ROUTER_TEMPLATE)
                .format(Map.of("destinations", String.join("\n", lines)));
        return PromptTemplate.builder().name("router").template(routerTemplate).build();
    }

    @Override
    public List<String> inputKeys() {
        return routerChain.inputKeys();
    }

    @Override
    public List<String> outputKeys() {
        return defaultChain.outputKeys();
    }

    public LlmRouterChain routerChain() {
        return routerChain;
    }

    public Map<String, Chain> destinationChains() {
        return destinationChains;
    }

    public Chain defaultChain() {
        return defaultChain;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        Route route = routerChain.route(inputs);
        Chain target;
        if (route.isDefault()) {
            target = defaultChain;
        } else {
            target = destinationChains.get(route.destination());
            if (target == null) {
                if (!silentErrors) {
                    throw new UnknownDestinationException(name(), route.destination(),
                            new ArrayList<>(destinationChains.keySet()));
                }
                target = defaultChain;
            }
        }
        run.text(route.destination() + ": " + route.nextInputs());
        Map<String, Object> next = new LinkedHashMap<>(route.nextInputs());
        Map<String, Object> result = run.isStreaming() ? target.stream(next, run.tokenSink().orElseThrow())
                : target.call(next);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : outputKeys()) {
            out.put(key, result.get(key));
        }
        return out;
    }

    /** Builds a {@link MultiPromptChain}, from prompt infos or from ready-made chains. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private ChatModel llm;
        private List<PromptInfo> promptInfos;
        private LlmRouterChain routerChain;
        private final Map<String, Chain> destinationChains = new LinkedHashMap<>();
        private Chain defaultChain;
        private boolean silentErrors;

        protected Builder() {
        }

        /** The model for the router and for the chains made from {@link #promptInfos}. */
        public Builder llm(ChatModel llm) {
            this.llm = llm;
            return this;
        }

        /** Destinations as prompts; each becomes an {@link LlmChain} over a ChatPromptTemplate reading {@code input}. */
        public Builder promptInfos(List<PromptInfo> promptInfos) {
            this.promptInfos = List.copyOf(promptInfos);
            return this;
        }

        /** A ready router instead of one built from the prompt infos. */
        public Builder routerChain(LlmRouterChain routerChain) {
            this.routerChain = routerChain;
            return this;
        }

        /** Ready destination chains by name. */
        public Builder destinationChains(Map<String, ? extends Chain> destinationChains) {
            this.destinationChains.putAll(destinationChains);
            return this;
        }

        public Builder defaultChain(Chain defaultChain) {
            this.defaultChain = defaultChain;
            return this;
        }

        /** Send inputs routed to an unknown destination to the default chain instead of failing. */
        public Builder silentErrors(boolean silentErrors) {
            this.silentErrors = silentErrors;
            return this;
        }

        public MultiPromptChain build() {
            if (promptInfos != null) {
                if (llm == null) {
                    throw new ChainValidationException("MultiPromptChain: promptInfos(...) needs llm(ChatModel) too");
                }
                for (PromptInfo info : promptInfos) {
                    ChatPromptTemplate prompt = ChatPromptTemplate.fromTemplate(info.name(), info.template());
                    if (!prompt.inputVariables().equals(List.of("input"))) {
                        throw new ChainValidationException("MultiPromptChain: prompt '" + info.name()
                                + "' must read exactly the variable 'input' (the router passes next_inputs there), "
                                + "but reads " + prompt.inputVariables());
                    }
                    if (destinationChains.putIfAbsent(info.name(), new LlmChain(llm, prompt)) != null) {
                        throw new ChainValidationException("MultiPromptChain: destination '" + info.name()
                                + "' is defined twice; names must be unique");
                    }
                }
                if (routerChain == null) {
                    routerChain = LlmRouterChain.fromLlm(llm, routerPrompt(promptInfos));
                }
            }
            if (destinationChains.isEmpty()) {
                throw new ChainValidationException("MultiPromptChain needs destinations: promptInfos(...) or destinationChains(...)");
            }
            if (routerChain == null) {
                throw new ChainValidationException("MultiPromptChain needs routerChain(...) when built from destinationChains(...)");
            }
            if (defaultChain == null) {
                if (llm == null) {
                    throw new ChainValidationException("MultiPromptChain needs defaultChain(...) or llm(...)");
                }
                defaultChain = LlmChain.builder().name("default").llm(llm)
                        .prompt(ChatPromptTemplate.fromTemplate("default", "{input}")).build();
            }
            return new MultiPromptChain(this);
        }
    }
}
