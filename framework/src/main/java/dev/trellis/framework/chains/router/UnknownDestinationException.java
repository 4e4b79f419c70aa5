package dev.trellis.framework.chains.router;

import java.util.List;

/** A router chose a destination that does not exist (and silent errors are off). */
public class UnknownDestinationException extends IllegalStateException {

    private final String destination;
    private final List<String> known;

    public UnknownDestinationException(String chainName, String destination, List<String> known) {
        super("router chain '" + chainName + "' chose destination '" + destination + "', which is not one of "
                + known + " or \"DEFAULT\"; fix the destination names in the router prompt, or build the chain "
                + "with silentErrors(true) to send such inputs to the default chain");
        this.destination = destination;
        this.known = List.copyOf(known);
    }

    public String destination() {
        return destination;
    }

    public List<String> known() {
        return known;
    }
}
