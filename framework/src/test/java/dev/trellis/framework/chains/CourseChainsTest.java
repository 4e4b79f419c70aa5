package dev.trellis.framework.chains;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The course's "Chains in LangChain" snippets, in Java, against a scripted model. */
class CourseChainsTest {

    // Python's "...describe \<newline>    a company..." keeps the next line's indentation.
    static final String NAME_PROMPT = "What is the best name to describe     a company that makes {product}?";

    @Test
    void llmChainRunsOnTheProduct() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Royal Rest Linens");
        ChatPromptTemplate prompt = ChatPromptTemplate.fromTemplate(NAME_PROMPT);
        LlmChain chain = new LlmChain(llm, prompt);

        String product = "Queen Size Sheet Set";
        assertThat(chain.run(product)).isEqualTo("Royal Rest Linens");
        assertThat(onlyMessages(llm)).containsExactly(UserMessage.from(
                "What is the best name to describe     a company that makes Queen Size Sheet Set?"));
        assertThat(chain.inputKeys()).containsExactly("product");
        assertThat(chain.outputKeys()).containsExactly("text");
    }

    @Test
    void simpleSequentialChainFeedsTheCompanyNameIntoTheDescription() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Royal Rest Linens",
                "Royal Rest Linens crafts soft, durable queen sheet sets for restful nights at fair prices.");
        LlmChain chainOne = new LlmChain(llm, ChatPromptTemplate.fromTemplate(NAME_PROMPT));
        LlmChain chainTwo = new LlmChain(llm, ChatPromptTemplate.fromTemplate(
                "Write a 20 words description for the following     company:{company_name}"));
        SimpleSequentialChain overall = SimpleSequentialChain.builder().chains(chainOne, chainTwo).verbose(true).build();

        assertThat(overall.run("Queen Size Sheet Set"))
                .isEqualTo("Royal Rest Linens crafts soft, durable queen sheet sets for restful nights at fair prices.");
        assertThat(llm.requests()).hasSize(2);
        assertThat(llm.requests().get(1).messages()).containsExactly(UserMessage.from(
                "Write a 20 words description for the following     company:Royal Rest Linens"));
    }

    @Test
    void sequentialChainTranslatesSummarizesDetectsAndFollowsUp() {
        String review = "Je trouve le goût médiocre. La mousse ne tient pas, c'est bizarre.";
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = ((UserMessage) messages.get(0)).singleText();
            if (prompt.startsWith("Translate")) {
                return "I find the taste mediocre. The foam does not hold, it's odd.";
            }
            if (prompt.startsWith("Can you summarize")) {
                return "The reviewer finds the taste mediocre and the foam weak.";
            }
            if (prompt.startsWith("What language")) {
                return "French";
            }
            return "Nous sommes désolés d'apprendre que le goût vous a déçu.";
        });
        LlmChain chainOne = LlmChain.builder().llm(llm).outputKey("English_Review")
                .prompt(ChatPromptTemplate.fromTemplate("Translate the following review to english:\n\n{Review}")).build();
        LlmChain chainTwo = LlmChain.builder().llm(llm).outputKey("summary")
                .prompt(ChatPromptTemplate.fromTemplate(
                        "Can you summarize the following review in 1 sentence:\n\n{English_Review}")).build();
        LlmChain chainThree = LlmChain.builder().llm(llm).outputKey("language")
                .prompt(ChatPromptTemplate.fromTemplate("What language is the following review:\n\n{Review}")).build();
        LlmChain chainFour = LlmChain.builder().llm(llm).outputKey("followup_message")
                .prompt(ChatPromptTemplate.fromTemplate("Write a follow up response to the following "
                        + "summary in the specified language:\n\nSummary: {summary}\n\nLanguage: {language}")).build();

        SequentialChain overall = SequentialChain.builder()
                .chains(chainOne, chainTwo, chainThree, chainFour)
                .inputVariables("Review")
                .outputVariables("English_Review", "summary", "followup_message")
                .verbose(true)
                .build();

        Map<String, Object> result = overall.call(review);

        assertThat(result.keySet()).containsExactly("Review", "English_Review", "summary", "followup_message");
        assertThat(result).containsEntry("Review", review)
                .containsEntry("English_Review", "I find the taste mediocre. The foam does not hold, it's odd.")
                .containsEntry("summary", "The reviewer finds the taste mediocre and the foam weak.")
                .containsEntry("followup_message", "Nous sommes désolés d'apprendre que le goût vous a déçu.");
        List<String> prompts = llm.requests().stream()
                .map(r -> ((UserMessage) r.messages().get(0)).singleText()).toList();
        assertThat(prompts).containsExactly(
                "Translate the following review to english:\n\n" + review,
                "Can you summarize the following review in 1 sentence:\n\n"
                        + "I find the taste mediocre. The foam does not hold, it's odd.",
                "What language is the following review:\n\n" + review,
                "Write a follow up response to the following summary in the specified language:\n\n"
                        + "Summary: The reviewer finds the taste mediocre and the foam weak.\n\nLanguage: French");
    }

    @Test
    void conversationChainRemembersThroughTheMemory() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Hello Andrew!", "Your name is Andrew.");
        ListMemory memory = new ListMemory(false);
        ConversationChain conversation = ConversationChain.builder().llm(llm).memory(memory).verbose(true).build();

        assertThat(conversation.predict("Hi, my name is Andrew")).isEqualTo("Hello Andrew!");
        assertThat(conversation.predict("What is my name?")).isEqualTo("Your name is Andrew.");

        String preamble = ConversationChain.DEFAULT_PREAMBLE;
        assertThat(((UserMessage) llm.requests().get(0).messages().get(0)).singleText())
                .isEqualTo(preamble + "\n\nConversation so far:\n\nHuman: Hi, my name is Andrew\nAI:");
        assertThat(llm.lastPrompt()).isEqualTo(preamble
                + "\n\nConversation so far:\nHuman: Hi, my name is Andrew\nAI: Hello Andrew!\nHuman: What is my name?\nAI:");
        assertThat(memory.messages()).hasSize(4);
        assertThat(conversation.inputKeys()).containsExactly("input");
        assertThat(conversation.outputKeys()).containsExactly("response");
    }

    @Test
    void conversationChainWithMessageMemorySendsTheHistoryAsMessages() {
        ScriptedChatModel llm = ScriptedChatModel.replying("Hi!", "Fine.");
        ConversationChain conversation = new ConversationChain(llm, new ListMemory(true));
        conversation.predict("Hello");
        conversation.predict("How are you?");
        List<ChatMessage> sent = llm.requests().get(1).messages();
        assertThat(sent).containsExactly(SystemMessage.from(ConversationChain.DEFAULT_PREAMBLE),
                UserMessage.from("Hello"), AiMessage.from("Hi!"), UserMessage.from("How are you?"));
    }

    @Test
    void conversationChainRejectsAPromptWithoutHistory() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConversationChain.builder()
                        .llm(ScriptedChatModel.replying()).memory(new ListMemory(false))
                        .prompt(ChatPromptTemplate.fromTemplate("{input}")).build())
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("must be exactly the memory key 'history' and the input key 'input'");
    }

    private static List<ChatMessage> onlyMessages(ScriptedChatModel llm) {
        List<ChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(1);
        return requests.get(0).messages();
    }
}
