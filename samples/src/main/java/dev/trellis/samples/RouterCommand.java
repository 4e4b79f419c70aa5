package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.router.MultiPromptChain;
import dev.trellis.framework.chains.router.PromptInfo;
import dev.trellis.framework.chains.router.UnknownDestinationException;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/** The course's router section: a MultiPromptChain over four subject experts. */
@Command(name = "router", mixinStandardHelpOptions = true,
        description = {"Routing, as in LangChain's router lesson: the model picks the best of four expert prompts"
                + " (physics, math, history, computer science) for each question, or a plain default prompt."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis router", "  trellis router -q \"Who built the first mechanical calculator?\""})
public final class RouterCommand implements Callable<Integer> {

    static final String PHYSICS = """
            You are a physics professor who explains things clearly and briefly. \
            When you do not know an answer, you say so.

            Here is a question:
            {input}""";

    static final String MATH = """
            You are an excellent mathematician. You solve hard problems by splitting them into \
            smaller parts, solving each part, and combining the results into the final answer.

            Here is a question:
            {input}""";

    static final String HISTORY = """
            You are a historian who knows people, events and contexts from many periods. You \
            weigh the evidence and use it to support your explanations.

            Here is a question:
            {input}""";

    static final String COMPUTER_SCIENCE = """
            You are an experienced computer scientist. You answer coding questions with clear \
            step-by-step solutions a machine could follow, and you choose solutions that balance \
            time and space complexity.

            Here is a question:
            {input}""";

    @Mixin
    ModelOptions models;

    @Option(names = {"-q", "--question"}, paramLabel = "TEXT",
            description = "A question to route; repeatable. Default: one physics, one math and one biology question.")
    List<String> questions = List.of("What is black body radiation?", "What is 7 times 6?",
            "Why does every cell in our body contain DNA?");

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        ChatModel llm = models.chatModel(out);
        List<PromptInfo> promptInfos = List.of(
                new PromptInfo("physics", "Good for answering questions about physics", PHYSICS),
                new PromptInfo("math", "Good for answering math questions", MATH),
                new PromptInfo("History", "Good for answering history questions", HISTORY),
                new PromptInfo("computer science", "Good for answering computer science questions", COMPUTER_SCIENCE));
        var defaultChain = new LlmChain(llm, ChatPromptTemplate.fromTemplate("{input}"));
        var chain = MultiPromptChain.builder()
                .llm(llm).promptInfos(promptInfos).defaultChain(defaultChain).verbose(true).build();

        for (String question : questions) {
            out.println("\n> " + question);
            try {
                out.println(chain.run(question));
            } catch (OutputParserException | UnknownDestinationException e) {
                // Small local models often cannot follow the router's JSON format: say so and go on.
                out.println("The router could not choose a prompt: " + e.getMessage());
            }
        }
        return 0;
    }
}
