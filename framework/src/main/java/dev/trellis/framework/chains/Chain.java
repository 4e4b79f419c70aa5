package dev.trellis.framework.chains;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A step that takes named values and returns named values, like LangChain's {@code Chain}.
 *
 * <p>{@link #call(Map)} returns the chain's inputs merged with its outputs, so chains compose:
 * a {@code SequentialChain} feeds the map of one chain into the next. Besides calling, every
 * chain streams its answer ({@link #stream(Map, Consumer)}), runs many inputs at once
 * ({@link #batch(List, int)}) and runs off the caller's thread ({@link #callAsync(Map)}), as
 * LangChain's {@code stream}, {@code batch} and {@code ainvoke} do.
 */
public interface Chain {

    /** How many inputs {@link #batch(List)} runs at once. */
    int DEFAULT_BATCH_CONCURRENCY = 4;

    /** Names of the values this chain reads; {@link #call(Map)} fails if one is missing. */
    List<String> inputKeys();

    /** Names of the values this chain adds. */
    List<String> outputKeys();

    /** Runs the chain; the result holds the inputs plus every key of {@link #outputKeys()}. */
    Map<String, Object> call(Map<String, Object> inputs);

    /**
     * The input keys a caller must supply: {@link #inputKeys()} less those the chain's memory
     * fills in.
     */
    default List<String> requiredInputKeys() {
        return inputKeys();
    }

    /**
     * Runs a chain with exactly one input key and one output key on a single string, returning
     * that output as text (LangChain's {@code chain.run("...")}).
     */
    default String run(String input) {
        List<String> in = requiredInputKeys();
        List<String> out = outputKeys();
        if (in.size() != 1 || out.size() != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ".run(String) needs exactly one input and one output key; this chain has inputs "
                    + in + " and outputs " + out + ": use call(Map) instead");
        }
        Object value = call(Map.of(in.get(0), input)).get(out.get(0));
        return String.valueOf(value);
    }

    /**
     * Runs the chain and passes its answer to {@code onToken} as the model writes it (LangChain's
     * {@code chain.stream}), then returns what {@link #call(Map)} returns. Tokens arrive one by
     * one when the answering model is a langchain4j {@code StreamingChatModel}; otherwise the
     * answer arrives whole. This default, for chains that cannot stream, calls the chain and
     * passes on its single output.
     */
    default Map<String, Object> stream(Map<String, Object> inputs, Consumer<String> onToken) {
        Map<String, Object> result = call(inputs);
        List<String> out = outputKeys();
        if (out.size() == 1 && result.get(out.get(0)) != null) {
            onToken.accept(String.valueOf(result.get(out.get(0))));
        }
        return result;
    }

    /** {@link #call(Map)} on a shared pool of daemon threads (LangChain's {@code ainvoke}). */
    default CompletableFuture<Map<String, Object>> callAsync(Map<String, Object> inputs) {
        return ChainExecution.callAsync(this, inputs, ChainExecution.ASYNC);
    }

    /** {@link #call(Map)} on the given executor. */
    default CompletableFuture<Map<String, Object>> callAsync(Map<String, Object> inputs, Executor executor) {
        return ChainExecution.callAsync(this, inputs, executor);
    }

    /** {@link #batch(List, int)} with {@link #DEFAULT_BATCH_CONCURRENCY} inputs at once. */
    default List<BatchResult> batch(List<? extends Map<String, Object>> inputs) {
        return batch(inputs, DEFAULT_BATCH_CONCURRENCY);
    }

    /**
     * Calls the chain once per input, at most {@code maxConcurrency} at a time (LangChain's
     * {@code batch(..., max_concurrency=n, return_exceptions=True)}). Results come back in the
     * order of the inputs; an input that fails holds its exception, and the others still run.
     */
    default List<BatchResult> batch(List<? extends Map<String, Object>> inputs, int maxConcurrency) {
        return ChainExecution.batch(this, inputs, maxConcurrency);
    }
}
