package dev.trellis.framework.chains;

import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import dev.trellis.framework.tracing.VerbosePrinter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The common life of a chain (LangChain's {@code Chain.__call__}): prepare and check the inputs,
 * tell the listeners, run {@link #doCall(Map, ChainRun)}, check and merge the outputs, tell the
 * listeners again. Subclasses implement only {@code doCall} and send model calls through
 * {@link ChainRun#chat} so traces show the exact prompts.
 */
public abstract class BaseChain implements Chain {

    private final String name;
    private final boolean verbose;
    private final List<ChainListener> listeners = new CopyOnWriteArrayList<>();

    protected BaseChain(String name, boolean verbose, List<ChainListener> listeners) {
        this.name = name == null || name.isBlank() ? getClass().getSimpleName() : name;
        this.verbose = verbose;
        if (listeners != null) {
            listeners.forEach(this::addListener);
        }
    }

    /** Takes name, verbose and listeners from a builder. */
    protected BaseChain(Builder<?> builder) {
        this(builder.name, builder.verbose, builder.listeners);
    }

    /** Does the chain's work on checked inputs and returns exactly the keys of {@link #outputKeys()}. */
    protected abstract Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run);

    /** Hook run before validation, e.g. to add memory variables. Returns a new map or the given one. */
    protected Map<String, Object> prepareInputs(Map<String, Object> inputs) {
        return inputs;
    }

    /** Hook run after a successful call, e.g. to save the exchange to memory. */
    protected void afterCall(Map<String, Object> inputs, Map<String, Object> outputs) {
    }

    @Override
    public final Map<String, Object> call(Map<String, Object> inputs) {
        Objects.requireNonNull(inputs, () -> name + ".call(inputs): inputs is null");
        Map<String, Object> prepared = prepareInputs(inputs);
        checkInputs(prepared);
        List<ChainListener> local = verbose ? List.of(VerbosePrinter.INSTANCE) : List.of();
        ChainRun run = ChainRun.start(name, listeners, local, prepared);
        try {
            Map<String, Object> outputs = doCall(prepared, run);
            checkOutputs(outputs);
            afterCall(prepared, outputs);
            run.end(outputs);
            Map<String, Object> merged = new LinkedHashMap<>(prepared.size() + outputs.size() + 1);
            merged.putAll(prepared);
            merged.putAll(outputs);
            return merged;
        } catch (RuntimeException | Error e) {
            run.error(e);
            throw e;
        } finally {
            run.close();
        }
    }

    /** Calls a chain with one input key on a single value and returns every value (LangChain's {@code chain(text)}). */
    public Map<String, Object> call(String input) {
        List<String> in = inputKeys();
        if (in.size() != 1) {
            throw new ChainInputException(name + ".call(String) needs a chain with exactly one input key; this one has "
                    + in + ": use call(Map) instead");
        }
        Map<String, Object> single = new LinkedHashMap<>(2);
        single.put(in.get(0), input);
        return call(single);
    }

    /** Calls the chain once per input map, in order (LangChain's {@code chain.apply(list)}). */
    public List<Map<String, Object>> apply(List<? extends Map<String, Object>> inputList) {
        List<Map<String, Object>> results = new ArrayList<>(inputList.size());
        for (Map<String, Object> inputs : inputList) {
            results.add(call(inputs));
        }
        return results;
    }

    /** Attaches a listener to this chain; it also hears every chain this one calls. */
    public void addListener(ChainListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(ChainListener listener) {
        listeners.remove(listener);
    }

    /** The name shown in errors and traces. */
    public String name() {
        return name;
    }

    public boolean verbose() {
        return verbose;
    }

    private void checkInputs(Map<String, Object> inputs) {
        List<String> expected = inputKeys();
        List<String> missing = null;
        for (String key : expected) {
            if (!inputs.containsKey(key)) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(key);
            }
        }
        if (missing != null) {
            throw new ChainInputException("chain '" + name + "' is missing input key(s) " + missing + "; it needs "
                    + expected + ", given: " + new ArrayList<>(inputs.keySet()));
        }
    }

    private void checkOutputs(Map<String, Object> outputs) {
        for (String key : outputKeys()) {
            if (!outputs.containsKey(key)) {
                throw new IllegalStateException("chain '" + name + "' did not produce its output key '" + key
                        + "'; it produced " + outputs.keySet() + " (a bug in " + getClass().getName() + ")");
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + ", inputs=" + inputKeys() + ", outputs=" + outputKeys() + "]";
    }

    /** Builder state every chain shares: name, verbose, listeners. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        protected String name;
        protected boolean verbose;
        protected final List<ChainListener> listeners = new ArrayList<>();

        /** Name for errors and traces; defaults to the class name. */
        public B name(String name) {
            this.name = name;
            return (B) this;
        }

        /** Print this chain's inputs, prompts and outputs (LangChain's {@code verbose=True}). */
        public B verbose(boolean verbose) {
            this.verbose = verbose;
            return (B) this;
        }

        /** Attach a listener; it also hears every chain this one calls. */
        public B listener(ChainListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return (B) this;
        }
    }
}
