package dev.trellis.framework.chains;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.trellis.framework.models.StreamingOnlyChatModel;
import dev.trellis.framework.memory.ConversationMemory;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.prompts.MessagePromptTemplate;
import dev.trellis.framework.prompts.MessagesPlaceholder;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.framework.tracing.ChainRun;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A chat with memory (LangChain's {@code ConversationChain}): each {@link #predict(String)} reads
 * the history from the memory into the prompt, asks the model, and saves the exchange.
 *
 * <pre>{@code
 * ConversationChain conversation = new ConversationChain(llm, new ConversationBufferMemory());
 * conversation.predict("Hi, my name is Andrew");
 * conversation.predict("What is my name?");
 * }</pre>
 *
 * <p>The input key must differ from the memory's key (LangChain refuses the overlap when the
 * chain is built). {@code stop} as an input becomes the model's stop sequences, and
 * {@link #stream} streams the answer from a {@code StreamingChatModel}.
 */
public class ConversationChain extends BaseChain {

    /** The preamble of the default prompt. */
    public static final String DEFAULT_PREAMBLE = "Below is a friendly conversation between a human and an AI. "
            + "The AI is chatty and gives plenty of concrete details from what it knows. "
            + "When the AI does not know the answer to a question, it says honestly that it does not know.";

    /** The default prompt when the memory returns a transcript (variables {@code history} and {@code input}). */
    public static final PromptTemplate DEFAULT_PROMPT = PromptTemplate.builder()
            .name("conversation")
            .template(DEFAULT_PREAMBLE + "\n\nConversation so far:\n{history}\nHuman: {input}\nAI:")
            .build();

    private final ChatModel llm;
    private final BasePromptTemplate prompt;
    private final String inputKey;
    private final String outputKey;
    private final List<String> inputKeys;
    private final List<String> outputKeys;

    /** Default prompt, input key {@code input}, output key {@code response}. */
    public ConversationChain(ChatModel llm, ConversationMemory memory) {
        this(builder().llm(llm).memory(memory));
    }

    protected ConversationChain(Builder builder) {
        super(builder);
        this.llm = Objects.requireNonNull(builder.llm, "ConversationChain needs llm(ChatModel)");
        ConversationMemory memory = Objects.requireNonNull(builder.memory,
                "ConversationChain needs memory(ConversationMemory)");
        this.inputKey = builder.inputKey;
        this.outputKey = builder.outputKey;
        if (inputKey.equals(memory.memoryKey())) {
            throw new ChainValidationException("ConversationChain '" + name() + "': the input key '" + inputKey
                    + "' is also the memory's key, so the memory would overwrite the input; give them different "
                    + "names with inputKey(...) or the memory's memoryKey(...)");
        }
        this.prompt = builder.prompt != null ? builder.prompt : defaultPrompt(memory);
        Set<String> expected = new HashSet<>(List.of(memory.memoryKey(), inputKey));
        Set<String> promptVariables = new HashSet<>(prompt.inputVariables());
        promptVariables.addAll(prompt.optionalVariables());
        if (!promptVariables.equals(expected)) {
            throw new ChainValidationException("ConversationChain '" + name() + "': the prompt's variables "
                    + prompt.inputVariables() + " must be exactly the memory key '" + memory.memoryKey()
                    + "' and the input key '" + inputKey + "'; adjust the prompt, memoryKey or inputKey");
        }
        this.inputKeys = List.of(inputKey);
        this.outputKeys = List.of(outputKey);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** LangChain's default prompt, as chat messages when the memory returns messages. */
    static BasePromptTemplate defaultPrompt(ConversationMemory memory) {
        if (memory.returnMessages()) {
            return ChatPromptTemplate.builder().name("conversation").messages(
                    MessagePromptTemplate.system(DEFAULT_PREAMBLE),
                    MessagesPlaceholder.of(memory.memoryKey()),
                    MessagePromptTemplate.user("{input}")).build();
        }
        if (!memory.memoryKey().equals("history")) {
            return PromptTemplate.builder().name("conversation").template(DEFAULT_PREAMBLE
                    + "\n\nConversation so far:\n{" + memory.memoryKey() + "}\nHuman: {input}\nAI:").build();
        }
        return DEFAULT_PROMPT;
    }

    /** Sends one human turn and returns the AI's answer, remembering both. */
    public String predict(String input) {
        return String.valueOf(call(Map.of(inputKey, input)).get(outputKey));
    }

    @Override
    public List<String> inputKeys() {
        return inputKeys;
    }

    @Override
    public List<String> outputKeys() {
        return outputKeys;
    }

    @Override
    protected String memoryInputKey() {
        return inputKey;
    }

    @Override
    protected String memoryOutputKey() {
        return outputKey;
    }

    public BasePromptTemplate prompt() {
        return prompt;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        List<ChatMessage> messages = prompt.formatMessages(inputs);
        ChatResponse response = run.chat(llm, LlmChain.request(messages, inputs, name()), run.tokenSink().orElse(null));
        String text = response.aiMessage() == null ? null : response.aiMessage().text();
        if (text == null) {
            throw new IllegalStateException("chain '" + name() + "': the model returned no text");
        }
        Map<String, Object> out = new LinkedHashMap<>(2);
        out.put(outputKey, text);
        return out;
    }

    /** Builds a {@link ConversationChain}. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private ChatModel llm;
        private BasePromptTemplate prompt;
        private String inputKey = "input";
        private String outputKey = "response";

        protected Builder() {
        }

        public Builder llm(ChatModel llm) {
            this.llm = llm;
            return this;
        }

        /** A streaming-only model (e.g. {@code OpenAiStreamingChatModel}); {@code call} waits for its whole answer. */
        public Builder streamingLlm(StreamingChatModel llm) {
            this.llm = StreamingOnlyChatModel.of(llm);
            return this;
        }

        /** A prompt reading exactly the memory key and the input key. */
        public Builder prompt(BasePromptTemplate prompt) {
            this.prompt = prompt;
            return this;
        }

        public Builder inputKey(String inputKey) {
            this.inputKey = inputKey;
            return this;
        }

        public Builder outputKey(String outputKey) {
            this.outputKey = outputKey;
            return this;
        }

        public ConversationChain build() {
            return new ConversationChain(this);
        }
    }
}
