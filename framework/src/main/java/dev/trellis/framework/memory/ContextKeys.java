package dev.trellis.framework.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which input and output of a chain call a memory saves, by LangChain's rules
 * ({@code get_prompt_input_key} and {@code BaseChatMemory._get_input_output}): the one input that
 * is neither the memory's variable nor {@code stop}, and the one output (or {@code output}).
 */
final class ContextKeys {

    private ContextKeys() {
    }

    static String input(Map<String, ?> inputs, String memoryKey) {
        List<String> candidates = new ArrayList<>();
        for (String key : inputs.keySet()) {
            if (!key.equals(memoryKey) && !key.equals("stop")) {
                candidates.add(key);
            }
        }
        if (candidates.size() != 1) {
            throw new IllegalArgumentException("cannot tell which input to save to memory: " + candidates.size()
                    + " inputs " + candidates + " are neither the memory key '" + memoryKey + "' nor 'stop'; "
                    + "expected exactly one (a chain takes it from builder().memoryInputKey(...))");
        }
        return candidates.get(0);
    }

    static String output(Map<String, ?> outputs) {
        if (outputs.size() == 1) {
            return outputs.keySet().iterator().next();
        }
        if (outputs.containsKey("output")) {
            return "output";
        }
        throw new IllegalArgumentException("cannot tell which output to save to memory: the outputs are "
                + outputs.keySet() + "; expected exactly one, or one named 'output' (a chain takes it from "
                + "builder().memoryOutputKey(...))");
    }
}
