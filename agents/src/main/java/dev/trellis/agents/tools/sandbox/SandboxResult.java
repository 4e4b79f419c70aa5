package dev.trellis.agents.tools.sandbox;

import java.util.List;
import java.util.Objects;

/**
 * What one snippet did in the sandbox.
 *
 * @param outcome       how it ended
 * @param output        what it printed to System.out / System.err (cut at the output cap), followed by
 *                      the values of bare expressions ({@code $1 ==> 42})
 * @param detail        the compiler's diagnostics, the exception, or the reason the process was lost; empty when none
 * @param refusals      each action the sandbox refused, in words ("reading /etc/passwd is outside ...")
 * @param sessionLost   true when the sandbox JVM is gone (killed or crashed): variables and methods
 *                      defined so far are lost and the next snippet starts a fresh session
 */
public record SandboxResult(Outcome outcome, String output, String detail, List<String> refusals, boolean sessionLost) {

    /** How a snippet ended. */
    public enum Outcome {
        /** Ran to the end. */
        COMPLETED,
        /** Did not compile; {@code detail} holds the diagnostics. Nothing ran. */
        COMPILE_ERROR,
        /** Threw; {@code detail} names the exception. */
        EXCEPTION,
        /** Printed past the output cap and was stopped there. */
        OUTPUT_LIMIT,
        /** Ran out of the sandbox's heap. */
        OUT_OF_MEMORY,
        /** Ran past the wall-clock limit; the sandbox JVM was killed. */
        TIMED_OUT,
        /** The sandbox JVM ended or broke the protocol; {@code detail} says how. */
        PROCESS_DIED
    }

    public SandboxResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(detail, "detail");
        refusals = List.copyOf(refusals);
    }
}
