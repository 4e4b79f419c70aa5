package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.Map;

/**
 * What a chain built with {@code verbose(true)} prints about itself (not about the chains it
 * calls, which have their own switch), like LangChain's {@code verbose=True}: inputs, the
 * formatted prompt, intermediate text and outputs, to {@link Tracing#verboseOutput(java.io.PrintStream)}.
 */
public final class VerbosePrinter implements ChainListener {

    /** One shared instance: it holds no state. */
    public static final VerbosePrinter INSTANCE = new VerbosePrinter();

    private VerbosePrinter() {
    }

    @Override
    public void onChainStart(ChainRun run, Map<String, Object> inputs) {
        print("\n> Entering new " + run.chainName() + " chain...\nInputs: " + TraceFormat.values(inputs));
    }

    @Override
    public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
        print("Prompt after formatting:\n" + TraceFormat.messages(messages));
    }

    @Override
    public void onText(ChainRun run, String text) {
        print(text);
    }

    @Override
    public void onChainEnd(ChainRun run, Map<String, Object> outputs) {
        print("Outputs: " + TraceFormat.values(outputs) + "\n> Finished chain.");
    }

    @Override
    public void onChainError(ChainRun run, Throwable error) {
        print("> Chain failed: " + error);
    }

    @Override
    public void onChatModelEnd(ChainRun run, ChatResponse response) {
    }

    private static void print(String text) {
        Tracing.verboseOutput().println(text);
    }
}
