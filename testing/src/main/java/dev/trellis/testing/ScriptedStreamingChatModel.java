package dev.trellis.testing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A {@link StreamingChatModel} (and {@link ChatModel}) that answers from a script and streams each
 * answer word by word, like {@link ScriptedChatModel} (LangChain's {@code FakeStreamingListLLM}):
 * for tests of streaming chains. Every request is recorded with whether it was streamed, and the
 * stop sequences of a request cut the answer as a server would.
 */
public final class ScriptedStreamingChatModel implements ChatModel, StreamingChatModel {

    private final Function<List<ChatMessage>, String> answer;
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger streamedCalls = new AtomicInteger();

    private ScriptedStreamingChatModel(Function<List<ChatMessage>, String> answer) {
        this.answer = answer;
    }

    /** Answers with the given texts in order, then fails. */
    public static ScriptedStreamingChatModel replying(String... answers) {
        List<String> script = List.of(answers);
        int[] next = {0};
        return new ScriptedStreamingChatModel(messages -> {
            synchronized (next) {
                if (next[0] >= script.size()) {
                    throw new IllegalStateException("ScriptedStreamingChatModel ran out of answers after "
                            + script.size() + " calls");
                }
                return script.get(next[0]++);
            }
        });
    }

    /** Answers every request with a function of its messages. */
    public static ScriptedStreamingChatModel answering(Function<List<ChatMessage>, String> answer) {
        return new ScriptedStreamingChatModel(Objects.requireNonNull(answer, "answer"));
    }

    /** The pieces an answer streams as: each word with the whitespace after it. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : text.split("(?<=\\s)(?=\\S)")) {
            if (!piece.isEmpty()) {
                out.add(piece);
            }
        }
        return out;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        return ChatResponse.builder().aiMessage(AiMessage.from(text(request))).build();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        requests.add(request);
        streamedCalls.incrementAndGet();
        String text;
        try {
            text = text(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        for (String token : tokens(text)) {
            handler.onPartialResponse(token);
        }
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(text)).build());
    }

    private String text(ChatRequest request) {
        String text = answer.apply(request.messages());
        List<String> stops = request.stopSequences();
        if (stops != null) {
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (at >= 0) {
                    text = text.substring(0, at);
                }
            }
        }
        return text;
    }

    /** Every request received so far, streamed or not, oldest first. */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** How many requests were streamed. */
    public int streamedCalls() {
        return streamedCalls.get();
    }

    /** The text of the last user message of the most recent request. */
    public String lastPrompt() {
        List<ChatMessage> messages = requests.get(requests.size() - 1).messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage user) {
                return user.singleText();
            }
        }
        return "";
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return ChatRequestParameters.builder().build();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return List.of();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }
}
