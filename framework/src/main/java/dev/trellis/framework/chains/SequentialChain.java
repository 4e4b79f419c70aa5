package dev.trellis.framework.chains;

import dev.trellis.framework.tracing.ChainRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chains connected by named variables (LangChain's {@code SequentialChain}): each chain reads
 * the input variables and everything earlier chains produced.
 *
 * <pre>{@code
 * SequentialChain overall = SequentialChain.builder()
 *         .chains(translate, summarize, detectLanguage, followUp)
 *         .inputVariables("Review")
 *         .outputVariables("English_Review", "summary", "followup_message")
 *         .verbose(true)
 *         .build();
 * Map<String, Object> result = overall.call(review);
 * }</pre>
 *
 * <p>The wiring is checked when the chain is built: a chain that needs a variable nobody provides
 * before it, a requested output nobody produces, or two producers of one variable are errors.
 * With a {@link Builder#memory memory}, its variable is available to every step (and must not be
 * one of the input variables); a step's own memory provides that step's memory variable.
 * {@link #stream} streams the last step's answer.
 */
public class SequentialChain extends BaseChain {

    private final List<Chain> chains;
    private final List<String> inputVariables;
    private final List<String> outputVariables;

    protected SequentialChain(Builder builder) {
        super(builder);
        if (builder.chains.isEmpty()) {
            throw new ChainValidationException("SequentialChain needs at least one chain");
        }
        if (builder.inputVariables == null || builder.inputVariables.isEmpty()) {
            throw new ChainValidationException("SequentialChain needs inputVariables(...), e.g. inputVariables(\"Review\")");
        }
        this.chains = List.copyOf(builder.chains);
        this.inputVariables = List.copyOf(builder.inputVariables);
        Set<String> known = new LinkedHashSet<>(inputVariables);
        if (memory() != null) {
            String memoryKey = memory().memoryKey();
            if (inputVariables.contains(memoryKey)) {
                throw new ChainValidationException("SequentialChain: the input variable '" + memoryKey + "' is also "
                        + "the memory's key; use input and memory keys that do not overlap");
            }
            known.add(memoryKey);
        }
        Set<String> provided = new LinkedHashSet<>(known);
        for (int i = 0; i < chains.size(); i++) {
            Chain chain = chains.get(i);
            for (String needed : chain.requiredInputKeys()) {
                if (!known.contains(needed)) {
                    throw new ChainValidationException("SequentialChain: step " + (i + 1) + " ("
                            + SimpleSequentialChain.describe(chain) + ") needs variable '" + needed
                            + "', which neither the input variables " + inputVariables
                            + (memory() == null ? "" : ", the memory")
                            + " nor an earlier step produces; available at that point: " + known
                            + ". Add it to inputVariables or reorder the chains");
                }
            }
            for (String produced : chain.outputKeys()) {
                if (!known.add(produced)) {
                    throw new ChainValidationException("SequentialChain: step " + (i + 1) + " ("
                            + SimpleSequentialChain.describe(chain) + ") produces '" + produced
                            + "', which is already " + (provided.contains(produced) ? "an input or memory variable"
                            : "produced by an earlier step") + "; give it another output key");
                }
            }
        }
        List<String> outputs;
        if (builder.outputVariables != null) {
            outputs = List.copyOf(builder.outputVariables);
        } else if (builder.returnAll) {
            outputs = new ArrayList<>(known);
            outputs.removeAll(provided);
        } else {
            outputs = chains.get(chains.size() - 1).outputKeys();
        }
        for (String output : outputs) {
            if (!known.contains(output) || provided.contains(output)) {
                throw new ChainValidationException("SequentialChain: output variable '" + output
                        + "' is not produced by any chain; the chains produce " + producedBy(known, provided)
                        + ". Remove it from outputVariables or add a chain with that output key");
            }
        }
        this.outputVariables = List.copyOf(outputs);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<String> inputKeys() {
        return inputVariables;
    }

    @Override
    public List<String> outputKeys() {
        return outputVariables;
    }

    public List<Chain> chains() {
        return chains;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        Map<String, Object> known = new LinkedHashMap<>(inputs);
        for (int i = 0; i < chains.size(); i++) {
            Chain chain = chains.get(i);
            boolean last = i == chains.size() - 1;
            Map<String, Object> result = last && run.isStreaming()
                    ? chain.stream(known, run.tokenSink().orElseThrow()) : chain.call(known);
            for (String key : chain.outputKeys()) {
                known.put(key, result.get(key));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : outputVariables) {
            out.put(key, known.get(key));
        }
        return out;
    }

    private static List<String> producedBy(Set<String> known, Set<String> provided) {
        List<String> produced = new ArrayList<>(known);
        produced.removeAll(provided);
        return produced;
    }

    /** Builds a {@link SequentialChain}. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private final List<Chain> chains = new ArrayList<>();
        private List<String> inputVariables;
        private List<String> outputVariables;
        private boolean returnAll;

        protected Builder() {
        }

        public Builder chains(List<? extends Chain> chains) {
            this.chains.addAll(chains);
            return this;
        }

        public Builder chains(Chain... chains) {
            return chains(List.of(chains));
        }

        /** The variables a caller supplies. */
        public Builder inputVariables(List<String> inputVariables) {
            this.inputVariables = inputVariables;
            return this;
        }

        public Builder inputVariables(String... inputVariables) {
            return inputVariables(List.of(inputVariables));
        }

        /** The variables to return; default: the last chain's outputs (or all, with {@link #returnAll}). */
        public Builder outputVariables(List<String> outputVariables) {
            this.outputVariables = outputVariables;
            return this;
        }

        public Builder outputVariables(String... outputVariables) {
            return outputVariables(List.of(outputVariables));
        }

        /** Return every intermediate variable when no output variables are given. */
        public Builder returnAll(boolean returnAll) {
            this.returnAll = returnAll;
            return this;
        }

        public SequentialChain build() {
            return new SequentialChain(this);
        }
    }
}
