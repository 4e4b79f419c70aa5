package dev.trellis.framework.chains;

import java.util.List;
import java.util.Map;

/**
 * A step that takes named values and returns named values, like LangChain's {@code Chain}.
 *
 * <p>{@link #call(Map)} returns the chain's inputs merged with its outputs, so chains compose:
 * a {@code SequentialChain} feeds the map of one chain into the next.
 */
public interface Chain {

    /** Names of the values this chain reads; {@link #call(Map)} fails if one is missing. */
    List<String> inputKeys();

    /** Names of the values this chain adds. */
    List<String> outputKeys();

    /** Runs the chain; the result holds the inputs plus every key of {@link #outputKeys()}. */
    Map<String, Object> call(Map<String, Object> inputs);

    /**
     * Runs a chain with exactly one input key and one output key on a single string, returning
     * that output as text (LangChain's {@code chain.run("...")}).
     */
    default String run(String input) {
        List<String> in = inputKeys();
        List<String> out = outputKeys();
        if (in.size() != 1 || out.size() != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ".run(String) needs exactly one input and one output key; this chain has inputs "
                    + in + " and outputs " + out + ": use call(Map) instead");
        }
        Object value = call(Map.of(in.get(0), input)).get(out.get(0));
        return String.valueOf(value);
    }
}
