package dev.trellis.framework.chains;

import dev.trellis.framework.tracing.ChainRun;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chains in a row, each one's single output the next one's single input (LangChain's
 * {@code SimpleSequentialChain}). Every step must have exactly one input and one output key;
 * that is checked when the chain is built.
 */
public class SimpleSequentialChain extends BaseChain {

    private final List<Chain> chains;
    private final String inputKey;
    private final String outputKey;

    /** Steps in order; input key {@code input}, output key {@code output}. */
    public SimpleSequentialChain(List<? extends Chain> chains) {
        this(builder().chains(chains));
    }

    public SimpleSequentialChain(Chain... chains) {
        this(List.of(chains));
    }

    protected SimpleSequentialChain(Builder builder) {
        super(builder);
        if (builder.chains == null || builder.chains.isEmpty()) {
            throw new ChainValidationException("SimpleSequentialChain needs at least one chain");
        }
        this.chains = List.copyOf(builder.chains);
        for (int i = 0; i < chains.size(); i++) {
            Chain chain = chains.get(i);
            if (chain.requiredInputKeys().size() != 1 || chain.outputKeys().size() != 1) {
                throw new ChainValidationException("SimpleSequentialChain: step " + (i + 1) + " (" + describe(chain)
                        + ") must have exactly one input and one output key, but has inputs " + chain.requiredInputKeys()
                        + " and outputs " + chain.outputKeys() + "; use SequentialChain for named variables");
            }
        }
        this.inputKey = builder.inputKey;
        this.outputKey = builder.outputKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<String> inputKeys() {
        return List.of(inputKey);
    }

    @Override
    public List<String> outputKeys() {
        return List.of(outputKey);
    }

    public List<Chain> chains() {
        return chains;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        Object value = inputs.get(inputKey);
        for (int i = 0; i < chains.size(); i++) {
            Chain chain = chains.get(i);
            Map<String, Object> stepInput = new LinkedHashMap<>(2);
            stepInput.put(chain.requiredInputKeys().get(0), value);
            boolean last = i == chains.size() - 1;
            Map<String, Object> result = last && run.isStreaming()
                    ? chain.stream(stepInput, run.tokenSink().orElseThrow()) : chain.call(stepInput);
            value = result.get(chain.outputKeys().get(0));
            run.text(String.valueOf(value));
        }
        Map<String, Object> out = new LinkedHashMap<>(2);
        out.put(outputKey, value);
        return out;
    }

    static String describe(Chain chain) {
        return chain instanceof BaseChain base ? "'" + base.name() + "'" : chain.getClass().getSimpleName();
    }

    /** Builds a {@link SimpleSequentialChain}. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private List<? extends Chain> chains;
        private String inputKey = "input";
        private String outputKey = "output";

        protected Builder() {
        }

        public Builder chains(List<? extends Chain> chains) {
            this.chains = chains;
            return this;
        }

        public Builder chains(Chain... chains) {
            return chains(List.of(chains));
        }

        public Builder inputKey(String inputKey) {
            this.inputKey = inputKey;
            return this;
        }

        public Builder outputKey(String outputKey) {
            this.outputKey = outputKey;
            return this;
        }

        public SimpleSequentialChain build() {
            return new SimpleSequentialChain(this);
        }
    }
}
