package dev.trellis.samples;

import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;

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
        String all = request.messages().stream().map(RecordedRequest.Message::content)
                .collect(java.util.stream.Collectors.joining("\n"));
        if (all.contains("Begin!")) {
            return agentStep(all);
        }
        if (prompt.contains("<< CANDIDATE PROMPTS >>")) {
            String destination = prompt.contains("radiation") ? "physics" : prompt.contains("times") ? "math" : "DEFAULT";
            return ScriptedReply.text("```json\n{\"destination\": \"" + destination + "\", \"next_inputs\": \""
                    + "the question\"}\n```");
        }
        if (prompt.contains("writing questions for a quiz")) {
            return ScriptedReply.text("{\"query\": \"What does the product cost?\", \"answer\": \"It costs 50 dollars.\"}");
        }
        if (prompt.contains("grading a quiz")) {
            return ScriptedReply.text("GRADE: CORRECT");
        }
        if (prompt.toLowerCase().contains("summary")) {
            return ScriptedReply.text("The human and the AI talked about the day's plans.");
        }
        return ScriptedReply.text("Scripted answer " + n + ".");
    }

    /** One ReAct step: a tool call first (Java code, or the date tool), then a final answer. */
    private static ScriptedReply agentStep(String all) {
        String work = all.substring(all.indexOf("Begin!"));
        if (work.contains("Observation:") || all.contains("Your work so far")) {
            return ScriptedReply.text("Thought: I now know the final answer\nFinal Answer: done, as the tool showed");
        }
        if (all.contains("java_repl")) {
            return ScriptedReply.text("Thought: I will sort them in Java\nAction: java_repl\nAction Input: "
                    + "System.out.println(java.util.stream.Stream.of(\"Turing\", \"Hopper\").sorted().toList());");
        }
        if (all.contains("date today")) {
            return ScriptedReply.text("Thought: I need the date\nAction:\n```json\n{\"action\": \"time\", \"action_input\": \"\"}\n```");
        }
        return ScriptedReply.text("Thought: I can answer this\nFinal Answer: 75");
    }
}
