package com.example.agent;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.agents.AgentExecutor;
import dev.trellis.agents.AgentStep;
import dev.trellis.agents.AgentType;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.agents.tools.Tools;

import java.util.List;
import java.util.Map;

/**
 * An agent with a tool of your own: the model decides to call {@link Shop#stock}, the executor runs
 * it, and the model answers from its result.
 *
 * <pre>
 * java -Dai.djl.offline=true -jar target/tool-agent.jar ["How many king size duvets are in stock?"]
 * </pre>
 */
public class ToolAgent {

    public static void main(String[] args) throws Exception {
        String question = args.length > 0 ? String.join(" ", args) : "How many queen size sheet sets are in stock?";
        Shop shop = new Shop();
        List<AgentTool> tools = Tools.fromObject(shop);   // every @Tool method of the object
        ChatModel model = ExampleModel.create(() -> ToolUseData.of(shop, tools.get(0)));

        AgentExecutor agent = AgentExecutor.builder()
                .llm(model)
                .tools(tools)
                .agentType(AgentType.TOOL_CALLING)   // the model's native tool calls
                .handleParsingErrors(true)
                .maxIterations(4)
                .returnIntermediateSteps(true)
                .build();
        Map<String, Object> result = agent.call(Map.of(AgentExecutor.INPUT_KEY, question));

        System.out.println("> " + question);
        for (Object step : (List<?>) result.get(AgentExecutor.INTERMEDIATE_STEPS_KEY)) {
            AgentStep s = (AgentStep) step;
            System.out.println("called " + s.action().tool() + " " + s.action().toolInput() + " -> " + s.observation());
        }
        System.out.println(result.get(AgentExecutor.OUTPUT_KEY));
    }
}
