package dev.trellis.agents;

import java.util.function.Consumer;

/**
 * Streams only the final answer of a text ReAct reply: tokens are held back until
 * {@code Final Answer:} has been written, then everything after it goes on as it comes (the
 * idea of LangChain's {@code FinalStreamingStdOutCallbackHandler}). Thoughts and actions never
 * reach the user's handler.
 */
final class FinalAnswerTokens implements Consumer<String> {

    private final Consumer<String> sink;
    private final StringBuilder held = new StringBuilder();
    private boolean answering;
    private boolean leading = true;

    FinalAnswerTokens(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public void accept(String token) {
        if (answering) {
            emit(token);
            return;
        }
        held.append(token);
        int at = held.indexOf(ReActOutputParser.FINAL_ANSWER);
        if (at >= 0) {
            answering = true;
            emit(held.substring(at + ReActOutputParser.FINAL_ANSWER.length()));
            held.setLength(0);
        }
    }

    private void emit(String text) {
        if (leading) {
            text = text.stripLeading();
            if (text.isEmpty()) {
                return;
            }
            leading = false;
        }
        sink.accept(text);
    }
}
