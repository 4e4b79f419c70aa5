package dev.trellis.agents;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.framework.tracing.ChainRun;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Native tool calling: the conversation grows by the model's tool-call message and one
 * {@link ToolExecutionResultMessage} per call, in the order of the calls.
 */
final class ToolCallingPlanner implements AgentPlanner {

    private final ChatModel model;
    private final ChatModel unbound;
    private final List<ChatMessage> messages = new ArrayList<>();
    private int stepsSeen;
    private int generatedIds;

    ToolCallingPlanner(ChatModel llm, String systemMessage, Collection<AgentTool> tools, String question) {
        List<ToolSpecification> specifications = new ArrayList<>(tools.size());
        for (AgentTool tool : tools) {
            specifications.add(tool.specification());
        }
        this.model = BoundChatModel.bind(llm, specifications, List.of());
        this.unbound = llm;
        if (systemMessage != null && !systemMessage.isBlank()) {
            messages.add(SystemMessage.from(systemMessage));
        }
        messages.add(UserMessage.from(question));
    }

    @Override
    public Plan plan(List<AgentStep> steps, ChainRun run) {
        appendResults(steps);
        // Streams the reply's text: the answer when the model calls no tool.
        ChatResponse response = run.chat(model, ChatRequest.builder().messages(List.copyOf(messages)).build(),
                run.tokenSink().orElse(null));
        AiMessage ai = response == null ? null : response.aiMessage();
        if (ai == null) {
            throw new AgentOutputParserException("the model returned no message", "");
        }
        if (!ai.hasToolExecutionRequests()) {
            if (ai.text() == null || ai.text().isBlank()) {
                throw new AgentOutputParserException("the model returned neither text nor tool calls", String.valueOf(ai));
            }
            messages.add(ai);
            return Plan.finish(new AgentFinish(ai.text().strip(), ai.text()));
        }
        List<ToolExecutionRequest> requests = new ArrayList<>();
        for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
            // Some servers send calls without ids; results must still pair with their calls.
            requests.add(request.id() == null || request.id().isBlank()
                    ? request.toBuilder().id("call_" + (++generatedIds)).build() : request);
        }
        AiMessage withIds = ai.text() == null ? AiMessage.from(requests) : AiMessage.from(ai.text(), requests);
        messages.add(withIds);
        List<AgentAction> actions = new ArrayList<>(requests.size());
        String log = ai.text() == null ? "" : ai.text();
        for (ToolExecutionRequest request : requests) {
            actions.add(new AgentAction(request.name(), request.arguments(), log, request.id(), true));
        }
        return Plan.act(actions);
    }

    @Override
    public AgentFinish finalAnswer(List<AgentStep> steps, ChainRun run) {
        appendResults(steps);
        List<ChatMessage> request = new ArrayList<>(messages);
        request.add(UserMessage.from(AgentPrompts.TOOL_CALLING_FINAL_REQUEST));
        ChatResponse response = run.chat(unbound, ChatRequest.builder().messages(request).build(),
                run.tokenSink().orElse(null));
        String text = response == null || response.aiMessage() == null || response.aiMessage().text() == null
                ? "" : response.aiMessage().text();
        return new AgentFinish(text.strip(), text);
    }

    private void appendResults(List<AgentStep> steps) {
        for (; stepsSeen < steps.size(); stepsSeen++) {
            AgentStep step = steps.get(stepsSeen);
            AgentAction action = step.action();
            if (action.toolCallId() != null) {
                messages.add(ToolExecutionResultMessage.from(action.toolCallId(), action.tool(), step.observation()));
            } else {
                // A handled parse error: tell the model what was wrong.
                messages.add(UserMessage.from(step.observation()));
            }
        }
    }
}
