package dev.trellis.framework.chains;

import dev.trellis.framework.memory.ConversationMemory;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import dev.trellis.framework.tracing.VerbosePrinter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The common life of a chain (LangChain's {@code Chain.__call__}): prepare and check the inputs,
 * tell the listeners, run {@link #doCall(Map, ChainRun)}, check and merge the outputs, tell the
 * listeners again. Subclasses implement only {@code doCall} and send model calls through
 * {@link ChainRun#chat} so traces show the exact prompts.
 *
 * <p>Any chain may have a memory (LangChain's {@code memory=}): its variables are added to the
 * inputs before the call, and the exchange is saved after it. The input saved is the one
 * input the caller gave that is neither a memory variable nor {@code stop}, the output the one
 * output (or {@code output}); set {@link Builder#memoryInputKey} / {@link Builder#memoryOutputKey}
 * when a chain has several.
 */
public abstract class BaseChain implements Chain {

    /** The input whose value, a String or a list of Strings, becomes the model's stop sequences (LangChain's {@code stop}). */
    public static final String STOP_KEY = "stop";

    private final String name;
    private final boolean verbose;
    private final List<ChainListener> listeners = new CopyOnWriteArrayList<>();
    private final ConversationMemory memory;
    private final String memoryInputKey;
    private final String memoryOutputKey;

    protected BaseChain(String name, boolean verbose, List<ChainListener> listeners) {
        this.name = name == null || name.isBlank() ? getClass().getSimpleName() : name;
        this.verbose = verbose;
        if (listeners != null) {
            listeners.forEach(this::addListener);
        }
        this.memory = null;
        this.memoryInputKey = null;
        this.memoryOutputKey = null;
    }

    /** Takes name, verbose, listeners and memory from a builder. */
    protected BaseChain(Builder<?> builder) {
        this(builder.name, builder);
    }

    /** Takes verbose, listeners and memory from a builder, with the given name. */
    protected BaseChain(String name, Builder<?> builder) {
        this.name = name == null || name.isBlank() ? getClass().getSimpleName() : name;
        this.verbose = builder.verbose;
        builder.listeners.forEach(this::addListener);
        this.memory = builder.memory;
        this.memoryInputKey = builder.memoryInputKey;
        this.memoryOutputKey = builder.memoryOutputKey;
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
        return invoke(inputs, null);
    }

    /**
     * Runs the chain, streaming the answer to {@code onToken} (see {@link Chain#stream}): the
     * model call that writes the answer streams when that model is a {@code StreamingChatModel};
     * a chain whose answer comes from no streamed call passes its single output on whole.
     */
    @Override
    public final Map<String, Object> stream(Map<String, Object> inputs, Consumer<String> onToken) {
        Objects.requireNonNull(onToken, () -> name + ".stream(inputs, onToken): onToken is null");
        return invoke(inputs, onToken);
    }

    private Map<String, Object> invoke(Map<String, Object> inputs, Consumer<String> onToken) {
        Objects.requireNonNull(inputs, () -> name + ".call(inputs): inputs is null");
        Map<String, Object> withMemory = inputs;
        if (memory != null) {
            withMemory = new LinkedHashMap<>(inputs);
            withMemory.putAll(memory.loadMemoryVariables());
        }
        Map<String, Object> prepared = prepareInputs(withMemory);
        checkInputs(prepared);
        List<ChainListener> local = verbose ? List.of(VerbosePrinter.INSTANCE) : List.of();
        ChainRun run = ChainRun.start(name, listeners, local, prepared, onToken);
        try {
            Map<String, Object> outputs = doCall(prepared, run);
            checkOutputs(outputs);
            String answerKey = answerKey();
            if (onToken != null && !run.streamedTokens() && answerKey != null && outputs.get(answerKey) != null) {
                run.token(String.valueOf(outputs.get(answerKey)), run.tokenSink().orElseThrow());
            }
            afterCall(prepared, outputs);
            if (memory != null) {
                saveToMemory(inputs, outputs);
            }
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

    /**
     * The output that is the chain's answer, streamed whole by {@link #stream} when no model call
     * streamed it: the single output key by default, {@code null} when there is none.
     */
    protected String answerKey() {
        List<String> keys = outputKeys();
        return keys.size() == 1 ? keys.get(0) : null;
    }

    /** Saves the exchange the way LangChain's {@code save_context} picks its input and output. */
    private void saveToMemory(Map<String, Object> inputs, Map<String, Object> outputs) {
        String inputKey = memoryInputKey();
        String outputKey = memoryOutputKey();
        if (inputKey != null && outputKey != null) {
            memory.saveContext(String.valueOf(inputs.get(inputKey)), String.valueOf(outputs.get(outputKey)));
            return;
        }
        try {
            memory.saveContext(inputKey == null ? inputs : Map.of("chosen_input", String.valueOf(inputs.get(inputKey))),
                    outputKey == null ? outputs : Map.of("chosen_output", String.valueOf(outputs.get(outputKey))));
        } catch (IllegalArgumentException ambiguous) {
            throw new ChainInputException("chain '" + name + "': " + ambiguous.getMessage());
        }
    }

    /** The input key whose value is saved to memory; {@code null}: the caller's one non-memory input. */
    protected String memoryInputKey() {
        return memoryInputKey;
    }

    /** The output key whose value is saved to memory; {@code null}: the one output, or {@code output}. */
    protected String memoryOutputKey() {
        return memoryOutputKey;
    }

    /** This chain's memory, or {@code null} when it has none. */
    public ConversationMemory memory() {
        return memory;
    }

    /** {@link #inputKeys()} less the memory's key: what a caller supplies. */
    @Override
    public List<String> requiredInputKeys() {
        if (memory == null) {
            return inputKeys();
        }
        List<String> keys = new ArrayList<>(inputKeys());
        keys.remove(memory.memoryKey());
        return List.copyOf(keys);
    }

    /** Calls a chain with one input key on a single value and returns every value (LangChain's {@code chain(text)}). */
    public Map<String, Object> call(String input) {
        List<String> in = requiredInputKeys();
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
        protected ConversationMemory memory;
        protected String memoryInputKey;
        protected String memoryOutputKey;

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

        /**
         * A memory for this chain (LangChain's {@code memory=}): its variables join the inputs of
         * every call and each exchange is saved to it.
         */
        public B memory(ConversationMemory memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return (B) this;
        }

        /** The input saved to memory, when the chain has several non-memory inputs. */
        public B memoryInputKey(String memoryInputKey) {
            this.memoryInputKey = memoryInputKey;
            return (B) this;
        }

        /** The output saved to memory, when the chain has several outputs and none is {@code output}. */
        public B memoryOutputKey(String memoryOutputKey) {
            this.memoryOutputKey = memoryOutputKey;
            return (B) this;
        }

        /** Attach a listener; it also hears every chain this one calls. */
        public B listener(ChainListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return (B) this;
        }
    }
}
