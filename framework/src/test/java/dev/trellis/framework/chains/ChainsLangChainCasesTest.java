package dev.trellis.framework.chains;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.trellis.framework.memory.AbstractConversationMemory;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.framework.memory.ConversationBufferWindowMemory;
import dev.trellis.framework.memory.ConversationSummaryMemory;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.parsers.OutputParser;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import dev.trellis.framework.prompts.MessagePromptTemplate;
import dev.trellis.framework.prompts.MessagesPlaceholder;
import dev.trellis.framework.prompts.PromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LangChain's chain tests, case for case: libs/langchain tests/unit_tests/chains/test_base.py,
 * test_llm.py, test_conversation.py and test_sequential.py.
 */
class ChainsLangChainCasesTest {

    // test_base.py

    @Test
    void badInputs() {
        assertThatThrownBy(() -> FakeChain.of(List.of("foo"), List.of("bar")).call(Map.of("foobar", "baz")))
                .isInstanceOf(ChainInputException.class).hasMessageContaining("missing input key(s) [foo]");
    }

    @Test
    void correctCall() {
        assertThat(FakeChain.of(List.of("foo"), List.of("bar")).call(Map.of("foo", "bar")))
                .isEqualTo(Map.of("foo", "bar", "bar", "barfoo"));
    }

    @Test
    void singleInputCorrect() {
        assertThat(FakeChain.of(List.of("foo"), List.of("bar")).call("bar")).isEqualTo(Map.of("foo", "bar", "bar", "barfoo"));
    }

    @Test
    void singleInputError() {
        assertThatThrownBy(() -> FakeChain.of(List.of("foo", "bar"), List.of("baz")).call("bar"))
                .isInstanceOf(ChainInputException.class);
    }

    @Test
    void runSingleArg() {
        assertThat(FakeChain.of(List.of("foo"), List.of("bar")).run("bar")).isEqualTo("barfoo");
    }

    @Test
    void multipleOutputKeysError() {
        assertThatThrownBy(() -> FakeChain.of(List.of("foo"), List.of("foo", "bar")).run("bar"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** test_run_arg_with_memory: a single argument goes to the one input the memory does not fill. */
    @Test
    void runArgWithMemory() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("baz").build();
        FakeChain chain = FakeChain.builder().inputs(List.of("foo", "baz")).outputs(List.of("bar")).memory(memory).build();
        assertThat(chain.requiredInputKeys()).containsExactly("foo");
        assertThat(chain.run("bar")).isEqualTo("bar foo");
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("baz", "Human: bar\nAI: bar foo"));
        assertThat(chain.run("again")).isEqualTo("again Human: bar\nAI: bar foofoo");
    }

    @Test
    void memoryWithSeveralInputsNeedsAMemoryInputKey() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("baz").build();
        FakeChain ambiguous = FakeChain.builder().inputs(List.of("a", "b")).outputs(List.of("out")).memory(memory).build();
        assertThatThrownBy(() -> ambiguous.call(Map.of("a", "1", "b", "2")))
                .isInstanceOf(ChainInputException.class).hasMessageContaining("memoryInputKey");
        FakeChain chosen = FakeChain.builder().inputs(List.of("a", "b")).outputs(List.of("out")).memory(memory)
                .memoryInputKey("b").build();
        chosen.call(Map.of("a", "1", "b", "2"));
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("baz", "Human: 2\nAI: 1 2foo"));
    }

    // test_llm.py

    private static LlmChain fakeLlmChain() {
        ScriptedChatModel llm = ScriptedChatModel.responding(request ->
                AiMessage.from(request.stopSequences() != null && !request.stopSequences().isEmpty() ? "bar" : "foo"));
        return LlmChain.builder().llm(llm).prompt(PromptTemplate.fromTemplate("This is a {bar}:")).outputKey("text1").build();
    }

    @Test
    void missingInputs() {
        assertThatThrownBy(() -> fakeLlmChain().call(Map.of("foo", "bar"))).isInstanceOf(ChainInputException.class);
    }

    @Test
    void validCallAndStopWords() {
        LlmChain chain = fakeLlmChain();
        assertThat(chain.call(Map.of("bar", "baz"))).isEqualTo(Map.of("bar", "baz", "text1", "foo"));
        assertThat(chain.call(Map.of("bar", "baz", "stop", List.of("foo"))))
                .isEqualTo(Map.of("bar", "baz", "stop", List.of("foo"), "text1", "bar"));
    }

    @Test
    void stopReachesTheModelAsStopSequences() {
        ScriptedChatModel llm = ScriptedChatModel.replying("a", "b", "c");
        LlmChain chain = new LlmChain(llm, PromptTemplate.fromTemplate("{q}"));
        chain.call(Map.of("q", "x", "stop", "\nObservation:"));
        chain.call(Map.of("q", "x", "stop", List.of("END", "STOP")));
        chain.call(Map.of("q", "x"));
        List<ChatRequest> requests = llm.requests();
        assertThat(requests.get(0).stopSequences()).containsExactly("\nObservation:");
        assertThat(requests.get(1).stopSequences()).containsExactly("END", "STOP");
        assertThat(requests.get(2).stopSequences()).isNullOrEmpty();
        assertThatThrownBy(() -> chain.call(Map.of("q", "x", "stop", 42)))
                .isInstanceOf(ChainInputException.class).hasMessageContaining("input 'stop' must be a String or a List<String>");
    }

    @Test
    void predictMethod() {
        assertThat(fakeLlmChain().predict(Map.of("bar", "baz"))).isEqualTo("foo");
    }

    @Test
    void predictAndParse() {
        OutputParser<List<String>> parser = text -> Arrays.asList(text.split(" "));
        LlmChain chain = LlmChain.builder().llm(ScriptedChatModel.replying("foo bar"))
                .prompt(PromptTemplate.fromTemplate("{foo}")).outputParser(parser).build();
        assertThat(chain.predictAndParse(Map.of("foo", "foo"))).isEqualTo(List.of("foo", "bar"));
    }

    @Test
    void llmChainOverAnOptionalPlaceholderDoesNotDemandIt() {
        ChatPromptTemplate prompt = ChatPromptTemplate.fromMessages(MessagePromptTemplate.system("Be brief."),
                MessagesPlaceholder.optional("history"), MessagePromptTemplate.user("{input}"));
        ScriptedChatModel llm = ScriptedChatModel.replying("hello", "again");
        LlmChain chain = new LlmChain(llm, prompt);
        assertThat(chain.inputKeys()).containsExactly("input");
        assertThat(chain.run("hi")).isEqualTo("hello");
        chain.call(Map.of("input", "hi", "history", List.of(UserMessage.from("earlier"), AiMessage.from("yes"))));
        assertThat(llm.requests().get(1).messages()).hasSize(4);
    }

    @Test
    void llmChainWithMemory() {
        ConversationBufferMemory memory = new ConversationBufferMemory();
        ScriptedChatModel llm = ScriptedChatModel.replying("Hi Ada", "You are Ada");
        LlmChain chain = LlmChain.builder().llm(llm).memory(memory)
                .prompt(PromptTemplate.fromTemplate("{history}\nHuman: {question}\nAI:")).build();
        assertThat(chain.run("I am Ada")).isEqualTo("Hi Ada");
        assertThat(chain.run("Who am I?")).isEqualTo("You are Ada");
        assertThat(llm.lastPrompt()).isEqualTo("Human: I am Ada\nAI: Hi Ada\nHuman: Who am I?\nAI:");
    }

    // test_conversation.py

    @Test
    void memoryAiPrefix() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("foo").aiPrefix("Assistant").build();
        memory.saveContext("bar", "foo");
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("foo", "Human: bar\nAssistant: foo"));
    }

    @Test
    void memoryHumanPrefix() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("foo").humanPrefix("Friend").build();
        memory.saveContext("bar", "foo");
        assertThat(memory.loadMemoryVariables()).isEqualTo(Map.of("foo", "Friend: bar\nAI: foo"));
    }

    @Test
    void conversationChainWorks() {
        ScriptedChatModel llm = ScriptedChatModel.replying("foo");
        ConversationChain chain = ConversationChain.builder().llm(llm)
                .prompt(PromptTemplate.fromTemplate("{foo} {bar}"))
                .memory(ConversationBufferMemory.builder().memoryKey("foo").build()).inputKey("bar").build();
        assertThat(chain.run("aaa")).isEqualTo("foo");
    }

    @Test
    void conversationChainErrorsBadPrompt() {
        assertThatThrownBy(() -> ConversationChain.builder().llm(ScriptedChatModel.replying())
                .prompt(PromptTemplate.fromTemplate("nothing here")).memory(new ConversationBufferMemory()).build())
                .isInstanceOf(ChainValidationException.class);
    }

    @Test
    void conversationChainErrorsBadVariable() {
        assertThatThrownBy(() -> ConversationChain.builder().llm(ScriptedChatModel.replying())
                .prompt(PromptTemplate.fromTemplate("{foo}"))
                .memory(ConversationBufferMemory.builder().memoryKey("foo").build()).inputKey("foo").build())
                .isInstanceOf(ChainValidationException.class)
                .hasMessageContaining("the input key 'foo' is also the memory's key");
    }

    @Test
    void clearingConversationMemory() {
        List<AbstractConversationMemory> memories = List.of(
                ConversationBufferMemory.builder().memoryKey("baz").build(),
                ConversationBufferWindowMemory.builder().k(5).memoryKey("baz").build(),
                ConversationSummaryMemory.builder().chatModel(ScriptedChatModel.replying("a summary")).memoryKey("baz").build());
        for (AbstractConversationMemory memory : memories) {
            memory.saveContext("bar", "foo");
            memory.clear();
            assertThat(memory.loadMemoryVariables()).as(memory.getClass().getSimpleName()).isEqualTo(Map.of("baz", ""));
        }
    }

    /** test_conversation_memory, for each of LangChain's parametrized memories. */
    @Test
    void conversationMemory() {
        List<AbstractConversationMemory> memories = List.of(
                ConversationBufferMemory.builder().memoryKey("baz").build(),
                ConversationSummaryMemory.builder().chatModel(ScriptedChatModel.answering(m -> "foo")).memoryKey("baz").build(),
                ConversationBufferWindowMemory.builder().k(5).memoryKey("baz").build());
        for (AbstractConversationMemory memory : memories) {
            String name = memory.getClass().getSimpleName();
            Map<String, Object> goodInputs = Map.of("foo", "bar", "baz", "foo");
            Map<String, Object> goodOutputs = Map.of("bar", "foo");
            memory.saveContext(goodInputs, goodOutputs);
            assertThatThrownBy(() -> memory.saveContext(Map.of("foo", "bar", "foo1", "bar"), goodOutputs)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> memory.saveContext(Map.of("baz", "bar"), goodOutputs)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> memory.saveContext(goodInputs, Map.of())).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> memory.saveContext(goodInputs, Map.of("foo", "bar", "foo1", "bar"))).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        ConversationBufferMemory buffer = ConversationBufferMemory.builder().memoryKey("baz").build();
        buffer.saveContext(Map.of("foo", "bar", "baz", "foo", "stop", "x"), Map.of("text", "t", "output", "answer"));
        assertThat(buffer.loadMemoryVariables()).isEqualTo(Map.of("baz", "Human: bar\nAI: answer"));
    }

    // test_sequential.py

    @Test
    void sequentialUsageSingleInputs() {
        SequentialChain chain = SequentialChain.builder().chains(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar"), List.of("baz"))).inputVariables("foo").build();
        assertThat(chain.call(Map.of("foo", "123"))).isEqualTo(Map.of("baz", "123foofoo", "foo", "123"));
    }

    @Test
    void sequentialUsageMultipleInputs() {
        SequentialChain chain = SequentialChain.builder().chains(FakeChain.of(List.of("foo", "test"), List.of("bar")),
                FakeChain.of(List.of("bar", "foo"), List.of("baz"))).inputVariables("foo", "test").build();
        assertThat(chain.call(Map.of("foo", "123", "test", "456")))
                .isEqualTo(Map.of("baz", "123 456foo 123foo", "foo", "123", "test", "456"));
    }

    /** test_sequential_usage_memory, with a buffer memory for LangChain's SimpleMemory. */
    @Test
    void sequentialUsageMemory() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("zab").build();
        memory.saveContext("rab", "ok");
        SequentialChain chain = SequentialChain.builder().memory(memory)
                .chains(FakeChain.of(List.of("foo", "zab"), List.of("bar")), FakeChain.of(List.of("bar"), List.of("baz")))
                .inputVariables("foo").build();
        Map<String, Object> output = chain.call(Map.of("foo", "123"));
        assertThat(output).isEqualTo(Map.of("baz", "123 Human: rab\nAI: okfoofoo", "foo", "123", "zab", "Human: rab\nAI: ok"));
        assertThat(memory.loadMemoryVariables().get("zab")).isEqualTo("Human: rab\nAI: ok\nHuman: 123\nAI: 123 Human: rab\nAI: okfoofoo");

        ConversationBufferMemory overlapping = ConversationBufferMemory.builder().memoryKey("foo").build();
        assertThatThrownBy(() -> SequentialChain.builder().memory(overlapping)
                .chains(FakeChain.of(List.of("foo"), List.of("bar")), FakeChain.of(List.of("bar"), List.of("baz")))
                .inputVariables("foo").build())
                .isInstanceOf(ChainValidationException.class).hasMessageContaining("also the memory's key");
    }

    @Test
    void sequentialInternalChainUseMemory() {
        ConversationBufferMemory memory = ConversationBufferMemory.builder().memoryKey("bla").build();
        memory.saveContext("yo", "ya");
        FakeChain chain1 = FakeChain.builder().inputs(List.of("foo", "bla")).outputs(List.of("bar")).memory(memory).build();
        SequentialChain chain = SequentialChain.builder().chains(chain1, FakeChain.of(List.of("bar"), List.of("baz")))
                .inputVariables("foo").build();
        assertThat(chain.call(Map.of("foo", "123"))).isEqualTo(Map.of("foo", "123", "baz", "123 Human: yo\nAI: yafoofoo"));
    }

    @Test
    void sequentialUsageMultipleOutputs() {
        SequentialChain chain = SequentialChain.builder().chains(FakeChain.of(List.of("foo"), List.of("bar", "test")),
                FakeChain.of(List.of("bar", "foo"), List.of("baz"))).inputVariables("foo").build();
        assertThat(chain.call(Map.of("foo", "123"))).isEqualTo(Map.of("baz", "123foo 123foo", "foo", "123"));
    }

    @Test
    void sequentialMissingInputs() {
        assertThatThrownBy(() -> SequentialChain.builder().chains(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar", "test"), List.of("baz"))).inputVariables("foo").build())
                .isInstanceOf(ChainValidationException.class);
    }

    @Test
    void sequentialBadOutputs() {
        assertThatThrownBy(() -> SequentialChain.builder().chains(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar"), List.of("baz"))).inputVariables("foo").outputVariables("test").build())
                .isInstanceOf(ChainValidationException.class);
    }

    @Test
    void sequentialValidOutputs() {
        SequentialChain chain = SequentialChain.builder().chains(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar"), List.of("baz"))).inputVariables("foo").outputVariables("bar", "baz").build();
        Map<String, Object> output = new HashMap<>(chain.call(Map.of("foo", "123")));
        output.keySet().retainAll(chain.outputKeys());
        assertThat(output).isEqualTo(Map.of("baz", "123foofoo", "bar", "123foo"));
    }

    @Test
    void sequentialOverlappingInputs() {
        assertThatThrownBy(() -> SequentialChain.builder().chains(FakeChain.of(List.of("foo", "test"), List.of("bar", "test")),
                FakeChain.of(List.of("bar"), List.of("baz"))).inputVariables("foo", "test").build())
                .isInstanceOf(ChainValidationException.class);
    }

    @Test
    void simpleSequentialFunctionality() {
        SimpleSequentialChain chain = new SimpleSequentialChain(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar"), List.of("baz")));
        assertThat(chain.call(Map.of("input", "123"))).isEqualTo(Map.of("output", "123foofoo", "input", "123"));
    }

    @Test
    void multiInputErrors() {
        assertThatThrownBy(() -> new SimpleSequentialChain(FakeChain.of(List.of("foo"), List.of("bar")),
                FakeChain.of(List.of("bar", "foo"), List.of("baz")))).isInstanceOf(ChainValidationException.class);
    }

    @Test
    void multiOutputErrors() {
        assertThatThrownBy(() -> new SimpleSequentialChain(FakeChain.of(List.of("foo"), List.of("bar", "grok")),
                FakeChain.of(List.of("bar"), List.of("baz")))).isInstanceOf(ChainValidationException.class);
    }
}
