package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The {@link Tracing#debug(boolean)} output: every event of every chain, logged at INFO through
 * SLF4J, indented by nesting, in the spirit of LangChain's debug output.
 */
final class DebugLogListener implements ChainListener {

    private static final Logger LOG = LoggerFactory.getLogger("dev.trellis.framework.tracing");

    @Override
    public void onChainStart(ChainRun run, Map<String, Object> inputs) {
        log(run, "[chain/start] [" + run.path() + "] Entering chain" + (run.isStreaming() ? " (streaming its answer)" : "")
                + " with inputs:\n" + TraceFormat.values(inputs));
    }

    @Override
    public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
        log(run, "[llm/start] [" + run.path() + "] Prompt:\n" + TraceFormat.messages(messages));
    }

    @Override
    public void onChatModelEnd(ChainRun run, ChatResponse response) {
        String usage = response.tokenUsage() == null ? "" : " " + response.tokenUsage();
        log(run, "[llm/end] [" + run.path() + "] Output" + usage + ":\n" + TraceFormat.message(response.aiMessage()));
    }

    @Override
    public void onText(ChainRun run, String text) {
        log(run, "[text] [" + run.path() + "] " + text);
    }

    @Override
    public void onChainEnd(ChainRun run, Map<String, Object> outputs) {
        log(run, "[chain/end] [" + run.path() + "] [" + millis(run) + "] Exiting chain with outputs:\n"
                + TraceFormat.values(outputs));
    }

    @Override
    public void onChainError(ChainRun run, Throwable error) {
        log(run, "[chain/error] [" + run.path() + "] [" + millis(run) + "] Chain failed: " + error);
    }

    private static String millis(ChainRun run) {
        return String.format("%.1fms", run.elapsedNanos() / 1e6);
    }

    private static void log(ChainRun run, String text) {
        if (LOG.isInfoEnabled()) {
            LOG.info("\n{}", TraceFormat.indent(text, run.depth()));
        }
    }
}
