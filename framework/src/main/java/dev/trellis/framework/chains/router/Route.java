package dev.trellis.framework.chains.router;

import java.util.Map;

/**
 * Where a router sends an input: a destination name, or the default chain, with the inputs to pass on.
 *
 * @param destination the destination chain's name, or {@link #DEFAULT}
 * @param nextInputs  the inputs for that chain
 */
public record Route(String destination, Map<String, Object> nextInputs) {

    /** The destination name meaning "the default chain". */
    public static final String DEFAULT = "DEFAULT";

    public Route {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("Route needs a destination name or \"DEFAULT\"");
        }
        nextInputs = Map.copyOf(nextInputs);
    }

    /** Whether the router chose the default chain. */
    public boolean isDefault() {
        return DEFAULT.equals(destination);
    }
}
