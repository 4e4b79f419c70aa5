package dev.trellis.framework.chains;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.trellis.testing.OpenAiCompatibleTestServer;
import dev.trellis.testing.RecordedRequest;
import dev.trellis.testing.ScriptedReply;
import dev.trellis.framework.chains.router.MultiPromptChain;
import dev.trellis.framework.chains.router.PromptInfo;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.tracing.ChainListener;
import dev.trellis.framework.tracing.ChainRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chains over real parts: langchain4j's OpenAI client talking HTTP to an OpenAI-compatible server
 * on a loopback port, which answers from a script and records the prompts it received.
 */
class ChainsOverHttpEndToEndTest {

    private OpenAiCompatibleTestServer server;
    private final List<String> receivedPrompts = new CopyOnWriteArrayList<>();
    private volatile Function<String, String> answer = prompt -> "?";

    @BeforeEach
    void start() {
        server = OpenAiCompatibleTestServer.answering(request -> {
            List<RecordedRequest.Message> messages = request.messages();
            String prompt = messages.get(messages.size() - 1).content();
            receivedPrompts.add(prompt);
            return ScriptedReply.text(answer.apply(prompt));
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ChatModel model() {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("test-key").modelName("scripted").temperature(0.0)
                .timeout(Duration.ofSeconds(10)).maxRetries(0).build();
    }

    @Test
    void sequentialChainOverHttp() {
        answer = prompt -> prompt.startsWith("Translate") ? "The taste is poor."
                : prompt.startsWith("Can you summarize") ? "Poor taste." : "English";
        ChatModel llm = model();
        LlmChain translate = LlmChain.builder().llm(llm).outputKey("English_Review")
                .prompt(ChatPromptTemplate.fromTemplate("Translate the following review to english:\n\n{Review}")).build();
        LlmChain summarize = LlmChain.builder().llm(llm).outputKey("summary")
                .prompt(ChatPromptTemplate.fromTemplate(
                        "Can you summarize the following review in 1 sentence:\n\n{English_Review}")).build();
        LlmChain language = LlmChain.builder().llm(llm).outputKey("language")
                .prompt(ChatPromptTemplate.fromTemplate("What language is the following review:\n\n{Review}")).build();
        List<String> tracedPrompts = new CopyOnWriteArrayList<>();
        SequentialChain overall = SequentialChain.builder().chains(translate, summarize, language)
                .inputVariables("Review").outputVariables("English_Review", "summary", "language")
                .listener(new ChainListener() {
                    @Override
                    public void onChatModelStart(ChainRun run, List<dev.langchain4j.data.message.ChatMessage> messages) {
                        tracedPrompts.add(((dev.langchain4j.data.message.UserMessage) messages.get(0)).singleText());
                    }
                }).build();

        Map<String, Object> result = overall.call("Le goût est mauvais.");

        assertThat(result).containsEntry("English_Review", "The taste is poor.")
                .containsEntry("summary", "Poor taste.").containsEntry("language", "English");
        assertThat(receivedPrompts).containsExactly(
                "Translate the following review to english:\n\nLe goût est mauvais.",
                "Can you summarize the following review in 1 sentence:\n\nThe taste is poor.",
                "What language is the following review:\n\nLe goût est mauvais.");
        assertThat(tracedPrompts).isEqualTo(receivedPrompts);
    }

    @Test
    void routerOverHttp() {
        answer = prompt -> prompt.contains("<< CANDIDATE PROMPTS >>")
                ? "```json\n{\"destination\": \"math\", \"next_inputs\": \"what is 2 + 2\"}\n```"
                : "4";
        ChatModel llm = model();
        MultiPromptChain chain = MultiPromptChain.fromPrompts(llm, List.of(
                new PromptInfo("physics", "Good for answering questions about physics", "Physics question:\n{input}"),
                new PromptInfo("math", "Good for answering math questions", "Math question:\n{input}")));
        assertThat(chain.run("what is 2 + 2")).isEqualTo("4");
        assertThat(receivedPrompts).hasSize(2);
        assertThat(receivedPrompts.get(1)).isEqualTo("Math question:\nwhat is 2 + 2");
        assertThat(receivedPrompts.get(0)).contains("math: Good for answering math questions")
                .contains("<< INPUT >>\nwhat is 2 + 2");
    }

    @Test
    void conversationChainOverHttpCarriesTheHistory() {
        answer = prompt -> prompt.endsWith("Human: What is my name?\nAI:") ? "Andrew." : "Hello Andrew!";
        ConversationChain conversation = new ConversationChain(model(), new ListMemory(false));
        assertThat(conversation.predict("Hi, my name is Andrew")).isEqualTo("Hello Andrew!");
        assertThat(conversation.predict("What is my name?")).isEqualTo("Andrew.");
        assertThat(receivedPrompts.get(1)).contains("Human: Hi, my name is Andrew\nAI: Hello Andrew!\nHuman: What is my name?");
    }
}
