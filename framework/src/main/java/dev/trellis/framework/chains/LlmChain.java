package dev.trellis.framework.chains;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.trellis.framework.models.StreamingOnlyChatModel;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.tracing.ChainRun;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt and a model (LangChain's {@code LLMChain}): formats the prompt with the inputs, sends
 * it, and returns the answer under {@code text} (or the configured output key).
 *
 * <pre>{@code
 * LlmChain chain = new LlmChain(llm, ChatPromptTemplate.fromTemplate("What is the best name for a company that makes {product}?"));
 * String name = chain.run("Queen Size Sheet Set");
 *
 * LlmChain translate = LlmChain.builder().llm(llm).prompt(prompt).outputKey("English_Review").verbose(true).build();
 * }</pre>
 *
 * <p>With an {@link OutputParser} the output value is the parsed object instead of the text.
 * An input named {@code stop} (a String or a list of Strings) is sent as the model's stop
 * sequences, as in LangChain. {@link #stream} streams the answer when the model is a
 * {@code StreamingChatModel} ({@code LocalChatModel}, or any via {@link Builder#streamingLlm}).
 */
public class LlmChain extends BaseChain {

    /** LangChain's default output key. */
    public static final String DEFAULT_OUTPUT_KEY = "text";

    private final ChatModel llm;
    private final BasePromptTemplate prompt;
    private final String outputKey;
    private final OutputParser<?> outputParser;
    private final List<String> inputKeys;
    private final List<String> outputKeys;

    /** A chain with output key {@code text}. */
    public LlmChain(ChatModel llm, BasePromptTemplate prompt) {
        this(builder().llm(llm).prompt(prompt));
    }

    protected LlmChain(Builder builder) {
        super(builder.name != null ? builder.name : defaultName(builder.prompt), builder);
        this.llm = Objects.requireNonNull(builder.llm, "LlmChain needs llm(ChatModel)");
        this.prompt = Objects.requireNonNull(builder.prompt, "LlmChain needs prompt(PromptTemplate or ChatPromptTemplate)");
        this.outputKey = builder.outputKey;
        if (outputKey == null || outputKey.isBlank()) {
            throw new ChainValidationException("LlmChain '" + name() + "': outputKey must not be blank");
        }
        if (prompt.inputVariables().contains(outputKey)) {
            throw new ChainValidationException("LlmChain '" + name() + "': output key '" + outputKey
                    + "' is also an input variable of its prompt " + prompt.inputVariables() + "; choose another outputKey");
        }
        this.outputParser = builder.outputParser;
        this.inputKeys = List.copyOf(prompt.inputVariables());
        this.outputKeys = List.of(outputKey);
    }

    public static Builder builder() {
        return new Builder();
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
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        List<ChatMessage> messages = prompt.formatMessages(inputs);
        ChatResponse response = run.chat(llm, request(messages, inputs, name()), run.tokenSink().orElse(null));
        String text = textOf(response);
        Object value = outputParser == null ? text : outputParser.parse(text);
        Map<String, Object> out = new LinkedHashMap<>(2);
        out.put(outputKey, value);
        return out;
    }

    /** Runs the chain and returns the model's text (LangChain's {@code predict(**kwargs)}). */
    public String predict(Map<String, Object> inputs) {
        Object value = call(inputs).get(outputKey);
        return value instanceof String s ? s : String.valueOf(value);
    }

    /** Runs the chain and returns the parsed output; needs an output parser. */
    public Object predictAndParse(Map<String, Object> inputs) {
        if (outputParser == null) {
            throw new IllegalStateException("LlmChain '" + name() + "' has no output parser; set one with "
                    + "builder().outputParser(...) or use predict(...)");
        }
        return call(inputs).get(outputKey);
    }

    public ChatModel llm() {
        return llm;
    }

    public BasePromptTemplate prompt() {
        return prompt;
    }

    public String outputKey() {
        return outputKey;
    }

    private String textOf(ChatResponse response) {
        AiMessage ai = response == null ? null : response.aiMessage();
        if (ai == null || ai.text() == null) {
            throw new IllegalStateException("chain '" + name() + "': the model returned no text"
                    + (ai != null && ai.hasToolExecutionRequests() ? " but tool calls " + ai.toolExecutionRequests()
                    + "; LlmChain does not run tools, use an agent" : ""));
        }
        return ai.text();
    }

    /** The request for a prompt: the messages, plus the {@code stop} input as stop sequences. */
    static ChatRequest request(List<ChatMessage> messages, Map<String, Object> inputs, String chainName) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages);
        List<String> stop = stopSequences(inputs.get(STOP_KEY), chainName);
        if (!stop.isEmpty()) {
            request.stopSequences(stop);
        }
        return request.build();
    }

    private static List<String> stopSequences(Object value, String chainName) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String one) {
            return List.of(one);
        }
        if (value instanceof java.util.Collection<?> many) {
            List<String> out = new java.util.ArrayList<>(many.size());
            for (Object item : many) {
                if (!(item instanceof String text)) {
                    throw new ChainInputException("chain '" + chainName + "': input 'stop' must hold only strings, found "
                            + item);
                }
                out.add(text);
            }
            return out;
        }
        throw new ChainInputException("chain '" + chainName + "': input 'stop' must be a String or a List<String> "
                + "of stop sequences, got a " + value.getClass().getName());
    }

    private static String defaultName(BasePromptTemplate prompt) {
        return prompt == null ? "LlmChain" : "LlmChain(" + prompt.name() + ")";
    }

    /** Builds an {@link LlmChain}. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private ChatModel llm;
        private BasePromptTemplate prompt;
        private String outputKey = DEFAULT_OUTPUT_KEY;
        private OutputParser<?> outputParser;

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

        /** A {@code PromptTemplate} (sent as one user message) or a {@code ChatPromptTemplate}. */
        public Builder prompt(BasePromptTemplate prompt) {
            this.prompt = prompt;
            return this;
        }

        public Builder outputKey(String outputKey) {
            this.outputKey = outputKey;
            return this;
        }

        /** Parse the model's text; the output value becomes the parsed object. */
        public Builder outputParser(OutputParser<?> outputParser) {
            this.outputParser = outputParser;
            return this;
        }

        public LlmChain build() {
            return new LlmChain(this);
        }
    }
}
