package dev.trellis.framework.chains;

import dev.trellis.framework.tracing.ChainRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LangChain's test {@code FakeChain}: every output variable is the space-joined input values
 * followed by "foo".
 */
final class FakeChain extends BaseChain {

    private final List<String> inputVariables;
    private final List<String> outputVariables;

    private FakeChain(Builder builder) {
        super(builder);
        this.inputVariables = List.copyOf(builder.inputVariables);
        this.outputVariables = List.copyOf(builder.outputVariables);
    }

    static FakeChain of(List<String> inputVariables, List<String> outputVariables) {
        return builder().inputs(inputVariables).outputs(outputVariables).build();
    }

    static Builder builder() {
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

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        List<String> values = new ArrayList<>();
        for (String key : inputVariables) {
            values.add(String.valueOf(inputs.get(key)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : outputVariables) {
            out.put(key, String.join(" ", values) + "foo");
        }
        return out;
    }

    static final class Builder extends BaseChain.Builder<Builder> {
        private List<String> inputVariables = List.of("foo");
        private List<String> outputVariables = List.of("bar");

        Builder inputs(List<String> inputVariables) {
            this.inputVariables = inputVariables;
            return this;
        }

        Builder outputs(List<String> outputVariables) {
            this.outputVariables = outputVariables;
            return this;
        }

        FakeChain build() {
            return new FakeChain(this);
        }
    }
}
