package dev.trellis.agents;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.tracing.ChainRun;

import java.util.Collection;
import java.util.List;

/** The two text ReAct protocols: the whole prompt is rebuilt from the steps every turn. */
final class ReActPlanner implements AgentPlanner {

    static final String STOP = "\nObservation:";

    private final ChatModel model;
    private final boolean json;
    private final String prefix;
    private final Collection<AgentTool> tools;
    private final String question;
    private final OutputParser<AgentDecision> parser;

    ReActPlanner(ChatModel llm, boolean json, String prefix, Collection<AgentTool> tools, String question) {
        this.model = BoundChatModel.bind(llm, List.of(), List.of(STOP));
        this.json = json;
        this.prefix = prefix;
        this.tools = tools;
        this.question = question;
        this.parser = json ? new ReActJsonOutputParser() : new ReActOutputParser();
    }

    @Override
    public Plan plan(List<AgentStep> steps, ChainRun run) {
        String text = complete(model, messages(steps, ""), run);
        AgentDecision decision = parser.parse(text);
        return decision instanceof AgentAction action ? Plan.act(List.of(action)) : Plan.finish((AgentFinish) decision);
    }

    @Override
    public AgentFinish finalAnswer(List<AgentStep> steps, ChainRun run) {
        String text = complete(model, messages(steps, AgentPrompts.FINAL_ANSWER_REQUEST), run);
        try {
            AgentDecision decision = parser.parse(text);
            if (decision instanceof AgentFinish finish) {
                return finish;
            }
        } catch (AgentOutputParserException notParsable) {
            // The model was asked for an answer: whatever it wrote is the answer (as LangChain does).
        }
        return new AgentFinish(text.strip(), text);
    }

    private List<ChatMessage> messages(List<AgentStep> steps, String suffix) {
        if (json) {
            return List.of(SystemMessage.from(AgentPrompts.reactJsonSystem(prefix, tools)),
                    UserMessage.from(AgentPrompts.reactJsonUser(question, steps) + suffix));
        }
        return List.of(UserMessage.from(AgentPrompts.reactPrompt(prefix, tools, question, steps) + suffix));
    }

    /**
     * The model's text, cut at an invented observation in case the model ignored the stop sequence.
     * When the run streams, the text after "Final Answer:" streams to the run's handler.
     */
    static String complete(ChatModel model, List<ChatMessage> messages, ChainRun run) {
        ChatResponse response = run.chat(model, ChatRequest.builder().messages(messages).build(),
                run.tokenSink().map(FinalAnswerTokens::new).orElse(null));
        AiMessage ai = response == null ? null : response.aiMessage();
        if (ai == null || ai.text() == null) {
            throw new AgentOutputParserException("the model returned no text"
                    + (ai != null && ai.hasToolExecutionRequests() ? " but native tool calls; use AgentType.TOOL_CALLING for them" : ""),
                    ai == null ? "" : String.valueOf(ai));
        }
        String text = ai.text();
        int invented = text.indexOf(STOP);
        return invented >= 0 ? text.substring(0, invented) : text;
    }
}
