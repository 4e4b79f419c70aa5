package dev.trellis.agents;

import dev.langchain4j.agent.tool.ReturnBehavior;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.agents.tools.Tools;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.testing.ScriptedStreamingChatModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** LangChain's return_direct tools, and agents streaming only their final answer. */
class AgentReturnDirectAndStreamingTest {

    private static final AgentTool LOOKUP = AgentTool.of("lookup", "Looks up an order's status", in -> "Order " + in + " shipped");

    @Test
    void aReturnDirectToolsResultIsTheAnswerWithoutAnotherModelTurn() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Thought: I should look it up\nAction: lookup\nAction Input: 42");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP.withReturnDirect(true))
                .returnIntermediateSteps(true).build();

        Map<String, Object> result = agent.call(Map.of("input", "Where is order 42?"));

        assertThat(result.get("output")).isEqualTo("Order 42 shipped");
        assertThat(llm.requests()).hasSize(1);
        assertThat((List<?>) result.get("intermediate_steps")).hasSize(1);
        assertThat(LOOKUP.returnDirect()).isFalse();
        assertThat(LOOKUP.withReturnDirect(true).withReturnDirect(false)).isSameAs(LOOKUP);
    }

    @Test
    void anOrdinaryToolsResultGoesBackToTheModel() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Thought: look\nAction: lookup\nAction Input: 42",
                "Thought: done\nFinal Answer: It shipped.");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP).build();
        assertThat(agent.run("Where is order 42?")).isEqualTo("It shipped.");
        assertThat(llm.requests()).hasSize(2);
    }

    static final class Orders {
        @Tool(value = "Cancels an order by its number", returnBehavior = ReturnBehavior.IMMEDIATE)
        public String cancel(String number) {
            return "Order " + number + " cancelled";
        }
    }

    @Test
    void aToolMethodWithImmediateReturnBehaviorReturnsDirectly() {
        List<AgentTool> tools = Tools.fromObject(new Orders());
        assertThat(tools).singleElement().satisfies(tool -> assertThat(tool.returnDirect()).isTrue());
        ScriptedChatModel llm = ScriptedChatModel.responding(request -> AiMessage.from(List.of(
                ToolExecutionRequest.builder().id("c1").name("cancel").arguments("{\"number\": \"7\"}").build())));
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(tools).agentType(AgentType.TOOL_CALLING).build();
        assertThat(agent.run("Cancel order 7")).isEqualTo("Order 7 cancelled");
        assertThat(llm.requests()).hasSize(1);
    }

    @Test
    void aTurnMixingReturnDirectAndOrdinaryToolsGoesOn() {
        AgentTool status = AgentTool.of("status", "Order status", in -> "in transit");
        ScriptedChatModel llm = ScriptedChatModel.responding(request -> {
            List<ChatMessage> messages = request.messages();
            if (messages.get(messages.size() - 1) instanceof ToolExecutionResultMessage) {
                return AiMessage.from("Order 42 is in transit.");
            }
            return AiMessage.from(List.of(
                    ToolExecutionRequest.builder().id("a").name("lookup").arguments("{\"input\": \"42\"}").build(),
                    ToolExecutionRequest.builder().id("b").name("status").arguments("{\"input\": \"42\"}").build()));
        });
        AgentExecutor agent = AgentExecutor.builder().llm(llm).agentType(AgentType.TOOL_CALLING)
                .tools(LOOKUP.withReturnDirect(true), status).build();
        assertThat(agent.run("Where is order 42?")).isEqualTo("Order 42 is in transit.");
        assertThat(llm.requests()).hasSize(2);
    }

    @Test
    void aReActAgentStreamsOnlyItsFinalAnswer() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying(
                "I should look it up.\nAction: lookup\nAction Input: 42\nObservation: invented",
                " I now know the final answer.\nFinal Answer: Order 42 has shipped and arrives Friday.");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP).build();
        List<String> tokens = new ArrayList<>();

        Map<String, Object> result = agent.stream(Map.of("input", "Where is order 42?"), tokens::add);

        assertThat(result.get("output")).isEqualTo("Order 42 has shipped and arrives Friday.");
        assertThat(String.join("", tokens)).isEqualTo("Order 42 has shipped and arrives Friday.");
        assertThat(tokens.size()).isGreaterThan(3);
        assertThat(llm.streamedCalls()).isEqualTo(2);
        assertThat(llm.requests().get(0).stopSequences()).containsExactly("\nObservation:");
    }

    @Test
    void aChatReActAgentStreamsItsFinalAnswer() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying(
                "Thought: look it up\nAction:\n```json\n{\"action\": \"lookup\", \"action_input\": \"42\"}\n```",
                "Thought: done\nFinal Answer: It shipped.");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP)
                .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION).build();
        List<String> tokens = new ArrayList<>();
        agent.stream(Map.of("input", "Where is order 42?"), tokens::add);
        assertThat(String.join("", tokens)).isEqualTo("It shipped.");
    }

    @Test
    void aToolCallingAgentStreamsItsAnswer() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("Order 42 shipped on Monday.");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP).agentType(AgentType.TOOL_CALLING).build();
        List<String> tokens = new ArrayList<>();
        agent.stream(Map.of("input", "Where is order 42?"), tokens::add);
        assertThat(tokens).containsExactlyElementsOf(ScriptedStreamingChatModel.tokens("Order 42 shipped on Monday."));
    }

    @Test
    void aReturnDirectResultStreamsWhole() {
        ScriptedStreamingChatModel llm = ScriptedStreamingChatModel.replying("Thought: look\nAction: lookup\nAction Input: 42");
        AgentExecutor agent = AgentExecutor.builder().llm(llm).tools(LOOKUP.withReturnDirect(true)).build();
        List<String> tokens = new ArrayList<>();
        agent.stream(Map.of("input", "Where is order 42?"), tokens::add);
        assertThat(tokens).containsExactly("Order 42 shipped");
    }
}
