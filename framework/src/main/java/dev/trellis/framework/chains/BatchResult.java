package dev.trellis.framework.chains;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One input's outcome in {@link Chain#batch(java.util.List, int)}: the chain's result, or the
 * exception that input raised. A failed input does not stop or hide the others.
 */
public final class BatchResult {

    private final int index;
    private final Map<String, Object> inputs;
    private final Map<String, Object> outputs;
    private final RuntimeException error;

    private BatchResult(int index, Map<String, Object> inputs, Map<String, Object> outputs, RuntimeException error) {
        this.index = index;
        this.inputs = inputs;
        this.outputs = outputs;
        this.error = error;
    }

    static BatchResult success(int index, Map<String, Object> inputs, Map<String, Object> outputs) {
        return new BatchResult(index, inputs, Objects.requireNonNull(outputs, "outputs"), null);
    }

    static BatchResult failure(int index, Map<String, Object> inputs, RuntimeException error) {
        return new BatchResult(index, inputs, null, Objects.requireNonNull(error, "error"));
    }

    /** The position of the input in the list given to {@code batch}. */
    public int index() {
        return index;
    }

    /** The input as given. */
    public Map<String, Object> inputs() {
        return inputs;
    }

    public boolean isSuccess() {
        return error == null;
    }

    /**
     * What {@code call} returned for this input.
     *
     * @throws ChainBatchException (with the input's exception as its cause) when this input failed
     */
    public Map<String, Object> outputs() {
        if (error != null) {
            throw new ChainBatchException("batch input " + index + " failed: " + error.getMessage()
                    + "; check isSuccess() or error() before outputs()", error);
        }
        return outputs;
    }

    /** The exception this input raised, if it failed. */
    public Optional<RuntimeException> error() {
        return Optional.ofNullable(error);
    }

    @Override
    public String toString() {
        return "BatchResult[" + index + ", " + (error == null ? "outputs=" + outputs.keySet() : "error=" + error) + "]";
    }
}
