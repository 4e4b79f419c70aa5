package dev.trellis.testing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link ChatModel} that answers from a script instead of a network or weights (LangChain's
 * {@code FakeListLLM}): for tests, demos and benchmarks of the logic around a model.
 *
 * <p>Every request is recorded, so a test can assert on the exact prompt that was sent.
 */
public final class ScriptedChatModel implements ChatModel {

    private final Function<ChatRequest, AiMessage> responder;
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

    private ScriptedChatModel(Function<ChatRequest, AiMessage> responder) {
        this.responder = responder;
    }

    /** Answers with the given texts in order, then fails: a script that runs out is a test bug. */
    public static ScriptedChatModel replying(String... answers) {
        List<String> script = List.of(answers);
        int[] next = {0};
        return new ScriptedChatModel(request -> {
            synchronized (next) {
                if (next[0] >= script.size()) {
                    throw new IllegalStateException("ScriptedChatModel ran out of answers after "
                            + script.size() + " calls; last prompt: " + lastUserText(request));
                }
                return AiMessage.from(script.get(next[0]++));
            }
        });
    }

    /** Answers every request with a function of its messages. */
    public static ScriptedChatModel answering(Function<List<ChatMessage>, String> answer) {
        Objects.requireNonNull(answer, "answer");
        return new ScriptedChatModel(request -> AiMessage.from(answer.apply(request.messages())));
    }

    /** Full control: the responder builds the whole {@link AiMessage} (tool calls included). */
    public static ScriptedChatModel responding(Function<ChatRequest, AiMessage> responder) {
        return new ScriptedChatModel(Objects.requireNonNull(responder, "responder"));
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        return ChatResponse.builder().aiMessage(responder.apply(request)).build();
    }

    /** Every request received so far, oldest first. */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** The text of the last user message of the most recent request. */
    public String lastPrompt() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("ScriptedChatModel has received no request yet");
        }
        return lastUserText(requests.get(requests.size() - 1));
    }

    private static String lastUserText(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof dev.langchain4j.data.message.UserMessage user) {
                return user.singleText();
            }
        }
        return messages.isEmpty() ? "" : messages.get(messages.size() - 1).toString();
    }
}
