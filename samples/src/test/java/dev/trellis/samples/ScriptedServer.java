package dev.trellis.samples;

import dev.trellis.framework.testing.OpenAiCompatibleTestServer;
import dev.trellis.framework.testing.RecordedRequest;
import dev.trellis.framework.testing.ScriptedReply;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible server that answers like a cooperative model: router prompts get a
 * valid routing block, summary prompts a summary, everything else a numbered answer.
 */
final class ScriptedServer {

    private ScriptedServer() {
    }

    static OpenAiCompatibleTestServer start() {
        AtomicInteger answers = new AtomicInteger();
        return OpenAiCompatibleTestServer.answering(request -> reply(request, answers.incrementAndGet()));
    }

    private static ScriptedReply reply(RecordedRequest request, int n) {
        String prompt = request.lastUserMessage();
        if (prompt.contains("<< CANDIDATE PROMPTS >>")) {
            String destination = prompt.contains("radiation") ? "physics" : prompt.contains("times") ? "math" : "DEFAULT";
            return ScriptedReply.text("```json\n{\"destination\": \"" + destination + "\", \"next_inputs\": \""
                    + "the question\"}\n```");
        }
        if (prompt.toLowerCase().contains("summary")) {
            return ScriptedReply.text("The human and the AI talked about the day's plans.");
        }
        return ScriptedReply.text("Scripted answer " + n + ".");
    }
}
