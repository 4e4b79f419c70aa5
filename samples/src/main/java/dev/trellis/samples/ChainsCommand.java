package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.chains.SequentialChain;
import dev.trellis.framework.chains.SimpleSequentialChain;
import dev.trellis.framework.prompts.ChatPromptTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;

/** The course's chains section: LlmChain, SimpleSequentialChain and SequentialChain. */
@Command(name = "chains", mixinStandardHelpOptions = true,
        description = {"Chains, as in LangChain's chains lesson: one prompt (LlmChain), two prompts in a row"
                + " (SimpleSequentialChain), and four prompts wired by named variables (SequentialChain)."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis chains --product \"ultralight camping hammock\""})
public final class ChainsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = "--product", defaultValue = "waterproof hiking boots",
            description = "The product to name a company after (default: ${DEFAULT-VALUE}).")
    String product;

    @Option(names = "--review", description = "A customer review, in any language, for the SequentialChain.",
            defaultValue = "J'ai porté cette veste sous une pluie battante pendant trois heures et je suis resté"
                    + " complètement au sec. Les poches sont un peu petites, mais pour ce prix c'est une excellente affaire.")
    String review;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        ChatModel llm = models.chatModel(out);

        out.println("\n=== LlmChain ===");
        var prompt = ChatPromptTemplate.fromTemplate("What is the best name for a company that makes {product}?");
        var chain = new LlmChain(llm, prompt);
        out.println(chain.run(product));

        out.println("\n=== SimpleSequentialChain ===");
        var chainOne = new LlmChain(llm, ChatPromptTemplate.fromTemplate(
                "What is the best name for a company that makes {product}?"));
        var chainTwo = new LlmChain(llm, ChatPromptTemplate.fromTemplate(
                "Write a 20-word description of the following company: {company_name}"));
        var overallSimpleChain = SimpleSequentialChain.builder().chains(chainOne, chainTwo).verbose(true).build();
        out.println(overallSimpleChain.run(product));

        out.println("\n=== SequentialChain ===");
        var translate = LlmChain.builder().llm(llm).outputKey("English_Review").prompt(
                ChatPromptTemplate.fromTemplate("Translate the following review to English:\n\n{Review}")).build();
        var summarize = LlmChain.builder().llm(llm).outputKey("summary").prompt(
                ChatPromptTemplate.fromTemplate("Summarize the following review in one sentence:\n\n{English_Review}")).build();
        var language = LlmChain.builder().llm(llm).outputKey("language").prompt(
                ChatPromptTemplate.fromTemplate("Which language is the following review written in?\n\n{Review}")).build();
        var followUp = LlmChain.builder().llm(llm).outputKey("followup_message").prompt(
                ChatPromptTemplate.fromTemplate("Write a short reply to the following summary, in the given language."
                        + "\n\nSummary: {summary}\n\nLanguage: {language}")).build();
        var overallChain = SequentialChain.builder()
                .chains(translate, summarize, language, followUp)
                .inputVariables("Review")
                .outputVariables("English_Review", "summary", "followup_message")
                .verbose(true)
                .build();
        Map<String, Object> result = overallChain.call(Map.of("Review", review));
        result.forEach((key, value) -> out.println(key + ": " + value));
        return 0;
    }
}
