package dev.trellis.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.trellis.agents.tools.Tools;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Agents through the real langchain4j-open-ai client, over HTTP, against a local OpenAI-compatible server. */
class AgentsThroughOpenAiClientTest {

    private static ChatModel client(OpenAiCompatibleTestServer server) {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("sk-test")
                .modelName(OpenAiCompatibleTestServer.DEFAULT_MODEL_ID)
                .temperature(0.0)
                .timeout(Duration.ofSeconds(10))
                .maxRetries(0)
                .build();
    }

    @Test
    void reactLoopOverHttp() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.answering(request -> {
            String prompt = request.lastUserMessage();
            if (prompt.startsWith("Translate a math problem")) {
                return ScriptedReply.text("```text\n300 * 25 / 100\n```");
            }
            String observation = AgentExecutorTest.lastObservation(prompt);
            if (observation == null) {
                return ScriptedReply.text(AgentExecutorTest.jsonAction("Calculator", "25% of 300"));
            }
            return ScriptedReply.text("Thought: I now know the final answer\nFinal Answer: " + observation.replace("Answer: ", ""));
        })) {
            ChatModel llm = client(server);
            AgentExecutor agent = AgentExecutor.builder()
                    .tools(Tools.load(List.of("llm-math"), llm))
                    .llm(llm)
                    .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                    .handleParsingErrors(true)
                    .build();

            assertThat(agent.run("What is the 25% of 300?")).isEqualTo("75.0");

            List<RecordedRequest> requests = server.requests();
            assertThat(requests).hasSize(3);
            JsonNode first = requests.get(0).body();
            assertThat(first.path("stop").toString()).isEqualTo("[\"\\nObservation:\"]");
            assertThat(requests.get(0).messages()).extracting(RecordedRequest.Message::role).containsExactly("system", "user");
            assertThat(requests.get(1).body().has("stop")).as("the calculator's own prompt has no stop").isFalse();
            assertThat(requests.get(2).lastUserMessage()).contains("Observation: Answer: 75.0");
        }
    }

    /** Each waits until the other has started: passes only if the executor runs parallel calls at once. */
    static final class Arithmetic {
        final CyclicBarrier bothStarted = new CyclicBarrier(2);
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Tool("Adds two integers")
        public int add(@P("first addend") int a, @P("second addend") int b) throws Exception {
            calls.add("add");
            bothStarted.await(5, TimeUnit.SECONDS);
            return a + b;
        }

        @Tool("Multiplies two integers")
        public int multiply(@P("first factor") int a, @P("second factor") int b) throws Exception {
            calls.add("multiply");
            bothStarted.await(5, TimeUnit.SECONDS);
            return a * b;
        }
    }

    @Test
    void nativeToolCallingRoundTripWithParallelCalls() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.toolCalls(
                    new ScriptedReply.ToolCall("add", "{\"a\": 2, \"b\": 3}"),
                    new ScriptedReply.ToolCall("multiply", "{\"a\": 4, \"b\": 5}")));
            server.otherwise(request -> {
                StringBuilder answer = new StringBuilder("2+3 and 4*5 are");
                for (JsonNode message : request.body().path("messages")) {
                    if (message.path("role").asText().equals("tool")) {
                        answer.append(' ').append(message.path("tool_call_id").asText()).append('=').append(message.path("content").asText());
                    }
                }
                return ScriptedReply.text(answer.toString());
            });
            Arithmetic arithmetic = new Arithmetic();
            AgentExecutor agent = AgentExecutor.builder()
                    .tools(Tools.fromObject(arithmetic))
                    .llm(client(server))
                    .agentType(AgentType.TOOL_CALLING)
                    .returnIntermediateSteps(true)
                    .build();

            Map<String, Object> result = agent.call("What are 2+3 and 4*5?");

            assertThat(result.get("output")).isEqualTo("2+3 and 4*5 are call_1=5 call_2=20");
            assertThat(arithmetic.calls).containsExactlyInAnyOrder("add", "multiply");
            List<RecordedRequest> requests = server.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(0).toolNames()).containsExactly("add", "multiply");
            JsonNode addSchema = requests.get(0).body().path("tools").get(0).path("function").path("parameters");
            assertThat(addSchema.path("properties").path("a").path("type").asText()).isEqualTo("integer");
            assertThat(requests.get(1).messages()).extracting(RecordedRequest.Message::role)
                    .containsExactly("system", "user", "assistant", "tool", "tool");
            JsonNode assistant = requests.get(1).body().path("messages").get(2);
            assertThat(assistant.path("tool_calls")).hasSize(2);
            assertThat(assistant.path("tool_calls").get(1).path("function").path("name").asText()).isEqualTo("multiply");
            @SuppressWarnings("unchecked")
            List<AgentStep> steps = (List<AgentStep>) result.get("intermediate_steps");
            assertThat(steps).extracting(s -> s.action().tool() + s.action().toolInput() + "->" + s.observation())
                    .containsExactly("add{\"a\": 2, \"b\": 3}->5", "multiply{\"a\": 4, \"b\": 5}->20");
        }
    }

    @Test
    void aModelThatKeepsCallingToolsStopsAtMaxIterations() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.answering(
                request -> ScriptedReply.toolCall("date", "{\"input\": \"\"}"))) {
            AgentExecutor agent = AgentExecutor.builder().tools(Tools.date()).llm(client(server))
                    .agentType(AgentType.TOOL_CALLING).maxIterations(4).build();
            assertThat(agent.run("loop")).isEqualTo("Agent stopped due to iteration limit (4).");
            assertThat(server.requestCount()).isEqualTo(4);
        }
    }

    @Test
    void aHangingServerEndsAtMaxExecutionTime() {
        try (OpenAiCompatibleTestServer server = OpenAiCompatibleTestServer.start()) {
            server.enqueue(ScriptedReply.text("Thought: look it up\nAction:\n```json\n{\"action\": \"date\", \"action_input\": \"\"}\n```"),
                    ScriptedReply.hang(Duration.ofSeconds(20)));
            AgentExecutor agent = AgentExecutor.builder().tools(Tools.date()).llm(client(server))
                    .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION).maxExecutionTime(Duration.ofSeconds(2))
                    .returnIntermediateSteps(true).build();
            long start = System.nanoTime();
            Map<String, Object> result = agent.call("What day is it?");
            assertThat(result.get("output")).isEqualTo("Agent stopped due to time limit (2000 ms).");
            assertThat((List<?>) result.get("intermediate_steps")).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
    }
}
