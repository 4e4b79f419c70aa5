package dev.trellis.framework.tracing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.SequentialChain;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TracingTest {

    /** Records every event as one line. */
    static final class Recorder implements ChainListener {
        final List<String> events = new ArrayList<>();
        final List<List<ChatMessage>> prompts = new ArrayList<>();

        @Override
        public void onChainStart(ChainRun run, Map<String, Object> inputs) {
            events.add(run.depth() + " start " + run.chainName() + " " + inputs);
        }

        @Override
        public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
            prompts.add(messages);
            events.add(run.depth() + " prompt " + run.chainName());
        }

        @Override
        public void onChatModelEnd(ChainRun run, ChatResponse response) {
            events.add(run.depth() + " output " + response.aiMessage().text());
        }

        @Override
        public void onChainEnd(ChainRun run, Map<String, Object> outputs) {
            events.add(run.depth() + " end " + run.chainName() + " " + outputs);
        }

        @Override
        public void onChainError(ChainRun run, Throwable error) {
            events.add(run.depth() + " error " + run.chainName() + " " + error.getClass().getSimpleName());
        }
    }

    private static SequentialChain twoSteps(ScriptedChatModel llm, ChainListener listener) {
        LlmChain translate = LlmChain.builder().name("translate").llm(llm).outputKey("English_Review")
                .prompt(ChatPromptTemplate.fromTemplate("Translate the following review to english:\n\n{Review}")).build();
        LlmChain summarize = LlmChain.builder().name("summarize").llm(llm).outputKey("summary")
                .prompt(ChatPromptTemplate.fromTemplate("Summarize:\n\n{English_Review}")).build();
        SequentialChain.Builder builder = SequentialChain.builder().name("overall").chains(translate, summarize)
                .inputVariables("Review").outputVariables("summary");
        if (listener != null) {
            builder.listener(listener);
        }
        return builder.build();
    }

    @Test
    void listenerOnTheParentSeesNestedChainsAndTheExactPrompts() {
        Recorder recorder = new Recorder();
        ScriptedChatModel llm = ScriptedChatModel.replying("Great", "Short.");
        twoSteps(llm, recorder).call(Map.of("Review", "Génial"));

        assertThat(recorder.prompts).containsExactly(
                List.of(UserMessage.from("Translate the following review to english:\n\nGénial")),
                List.of(UserMessage.from("Summarize:\n\nGreat")));
        assertThat(recorder.events).containsExactly(
                "0 start overall {Review=Génial}",
                "1 start translate {Review=Génial}",
                "1 prompt translate",
                "1 output Great",
                "1 end translate {English_Review=Great}",
                "1 start summarize {Review=Génial, English_Review=Great}",
                "1 prompt summarize",
                "1 output Short.",
                "1 end summarize {summary=Short.}",
                "0 end overall {summary=Short.}");
    }

    @Test
    void errorsReachTheListenersAndPropagate() {
        Recorder recorder = new Recorder();
        ScriptedChatModel llm = ScriptedChatModel.replying("only one");
        SequentialChain chain = twoSteps(llm, recorder);
        assertThatThrownBy(() -> chain.call(Map.of("Review", "x"))).isInstanceOf(IllegalStateException.class);
        assertThat(recorder.events).endsWith("1 error summarize IllegalStateException",
                "0 error overall IllegalStateException");
        assertThat(ChainRun.current()).isEmpty();
    }

    @Test
    void globalListenersAndDebugLoggingHearEveryChain() {
        Recorder global = new Recorder();
        Tracing.addGlobalListener(global);
        Tracing.debug(true);
        try {
            twoSteps(ScriptedChatModel.replying("a", "b"), null).call(Map.of("Review", "x"));
        } finally {
            Tracing.debug(false);
            Tracing.removeGlobalListener(global);
        }
        assertThat(global.events).hasSize(10);
        assertThat(global.prompts.get(1)).containsExactly(UserMessage.from("Summarize:\n\na"));

        twoSteps(ScriptedChatModel.replying("a", "b"), null).call(Map.of("Review", "x"));
        assertThat(global.events).hasSize(10);
    }

    @Test
    void runPathsNameTheNesting() {
        List<String> paths = new ArrayList<>();
        ChainListener listener = new ChainListener() {
            @Override
            public void onChatModelStart(ChainRun run, List<ChatMessage> messages) {
                paths.add(run.path());
            }
        };
        twoSteps(ScriptedChatModel.replying("a", "b"), listener).call(Map.of("Review", "x"));
        assertThat(paths).containsExactly("1:overall > 1:translate", "1:overall > 2:summarize");
    }

    @Test
    void verbosePrintsOnlyThatChainsInputsPromptAndOutputs() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tracing.verboseOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            ScriptedChatModel llm = ScriptedChatModel.replying("Royal Rest");
            LlmChain chain = LlmChain.builder().name("name_company").llm(llm).verbose(true)
                    .prompt(ChatPromptTemplate.fromTemplate("Name a company that makes {product}?")).build();
            chain.run("sheets");
        } finally {
            Tracing.verboseOutput(System.out);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""

                > Entering new name_company chain...
                Inputs: {"product": "sheets"}
                Prompt after formatting:
                Human: Name a company that makes sheets?
                Outputs: {"text": "Royal Rest"}
                > Finished chain.
                """);
    }
}
