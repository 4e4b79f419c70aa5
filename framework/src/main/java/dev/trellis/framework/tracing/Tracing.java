package dev.trellis.framework.tracing;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Process-wide tracing switches: {@link #debug(boolean)} is LangChain's {@code langchain.debug = True}
 * (every chain logs its inputs, prompts, outputs and errors through SLF4J, indented by nesting), and
 * global listeners hear every chain.
 */
public final class Tracing {

    private static final ChainListener DEBUG_LOGGER = new DebugLogListener();
    private static final List<ChainListener> GLOBAL = new CopyOnWriteArrayList<>();
    private static volatile boolean debug;
    private static volatile PrintStream verboseOut = System.out;

    private Tracing() {
    }

    /** Turns debug logging of every chain on or off (logger {@code dev.trellis.framework.tracing}, level INFO). */
    public static void debug(boolean on) {
        debug = on;
    }

    public static boolean isDebug() {
        return debug;
    }

    /** Adds a listener that hears every chain run in this JVM. */
    public static void addGlobalListener(ChainListener listener) {
        GLOBAL.add(Objects.requireNonNull(listener, "listener"));
    }

    public static void removeGlobalListener(ChainListener listener) {
        GLOBAL.remove(listener);
    }

    /** Where chains built with {@code verbose(true)} print; standard output unless changed. */
    public static void verboseOutput(PrintStream out) {
        verboseOut = Objects.requireNonNull(out, "out");
    }

    static PrintStream verboseOutput() {
        return verboseOut;
    }

    /** Listeners of a top-level run: debug logger, global listeners, then the chain's own. */
    static List<ChainListener> rootListeners(List<ChainListener> own) {
        if (!debug && GLOBAL.isEmpty()) {
            return own;
        }
        List<ChainListener> all = new ArrayList<>(GLOBAL.size() + own.size() + 1);
        if (debug) {
            all.add(DEBUG_LOGGER);
        }
        all.addAll(GLOBAL);
        all.addAll(own);
        return all;
    }
}
