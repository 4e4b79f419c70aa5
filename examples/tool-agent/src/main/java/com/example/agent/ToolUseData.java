package com.example.agent;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trellis.agents.AgentPrompts;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.finetune.LocalChatPrompt;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.data.InstructionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finetuning data that teaches a local model this agent's two moves, in the exact prompt
 * {@link dev.trellis.finetune.LocalChatModel} renders for a tool-calling agent's requests
 * ({@link LocalChatPrompt}): a stock question is answered by calling the tool, and the tool's result
 * by the answer. The results come from calling the tool itself. The questions about the last
 * product, worded as no other, are held out: the model is scored on them, not trained on them.
 */
final class ToolUseData {

    private ToolUseData() {
    }

    static InstructionDataset of(Shop shop, AgentTool tool) throws Exception {
        List<ToolSpecification> specs = List.of(tool.specification());
        LocalChatPrompt prompt = new LocalChatPrompt(InstructionTemplate.NONE);   // the question slot alone
        List<InstructionExample> examples = new ArrayList<>();
        List<String> products = shop.products();
        for (String product : products) {
            Map<String, String> split = Map.of("split", product.equals(products.get(products.size() - 1)) ? "test" : "train");
            for (String question : List.of("How many " + product + "s are in stock?",
                    "Do you have any " + product + "s left?")) {
                String arguments = "{\"product\":\"" + product + "\"}";
                String call = "{\"tool\":\"" + tool.name() + "\",\"arguments\":" + arguments + "}";
                String result = tool.runJson(arguments);
                List<ChatMessage> asked = List.of(SystemMessage.from(AgentPrompts.TOOL_CALLING_SYSTEM),
                        UserMessage.from(question));
                examples.add(example(examples.size(), prompt.render(asked, specs), call, split));

                ToolExecutionRequest request = ToolExecutionRequest.builder().id("call_1").name(tool.name())
                        .arguments(arguments).build();
                List<ChatMessage> answered = new ArrayList<>(asked);
                answered.add(AiMessage.from(List.of(request)));
                answered.add(ToolExecutionResultMessage.from(request, result));
                examples.add(example(examples.size(), prompt.render(answered, specs),
                        "{\"answer\":\"We have " + result + " " + product + "s in stock.\"}", split));
            }
        }
        return InstructionDataset.of("tool-use examples for " + tool.name(), FieldMapping.QUESTION_ANSWER, examples);
    }

    private static InstructionExample example(int line, String question, String answer, Map<String, String> split) {
        return new InstructionExample(line, question, "", answer, split);
    }
}
