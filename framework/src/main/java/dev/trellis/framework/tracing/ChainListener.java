package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.Map;

/**
 * Receives what a chain does, like LangChain's callback handlers: the chain's inputs, the exact
 * messages sent to the model, the model's answer, the chain's outputs or its error.
 *
 * <p>Attach one to a chain ({@code builder().listener(...)} or {@code chain.addListener(...)}): it
 * then also sees every chain that chain calls, with {@link ChainRun#depth()} telling how deep.
 * Attach one to every chain with {@link Tracing#addGlobalListener(ChainListener)}.
 * Events arrive on the calling thread; an exception thrown by a listener fails the chain call.
 */
public interface ChainListener {

    /** A chain starts, with its inputs (memory variables included). */
    default void onChainStart(ChainRun run, Map<String, Object> inputs) {
    }

    /** The exact messages about to be sent to a chat model. */
    default void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
    }

    /** The chat model's answer. */
    default void onChatModelEnd(ChainRun run, ChatResponse response) {
    }

    /** One piece of a streamed answer, as it arrives (runs started with {@code stream(...)} only). */
    default void onToken(ChainRun run, String token) {
    }

    /** Free text a chain reports along the way, e.g. each step's output in a SimpleSequentialChain. */
    default void onText(ChainRun run, String text) {
    }

    /** A chain ends, with the outputs it added. */
    default void onChainEnd(ChainRun run, Map<String, Object> outputs) {
    }

    /** A chain fails; the error is rethrown to the caller after the listeners have seen it. */
    default void onChainError(ChainRun run, Throwable error) {
    }
}
