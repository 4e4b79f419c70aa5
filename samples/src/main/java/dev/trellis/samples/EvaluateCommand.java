package dev.trellis.samples;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.eval.QAEvalChain;
import dev.trellis.framework.eval.QAEvaluation;
import dev.trellis.framework.eval.QAExample;
import dev.trellis.framework.eval.QAGenerateChain;
import dev.trellis.framework.tracing.Tracing;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.qa.ChainType;
import dev.trellis.retrieval.qa.RetrievalQA;
import dev.trellis.retrieval.qa.VectorstoreIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The course's evaluation section: examples by hand and by the model, then graded by the model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate question answering over the catalogue, as in LangChain's evaluation lesson:"
                + " hand-written examples plus examples the model writes from catalogue rows (QAGenerateChain),"
                + " one traced run, then every prediction graded by the model (QAEvalChain)."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis evaluate --generate 10"})
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = "--generate", defaultValue = "5",
            description = "Catalogue rows the model writes an example from (default: ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--catalog", paramLabel = "FILE", description = "A CSV file to ask about (default: the bundled catalog.csv).")
    Path catalog;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        ChatModel llm = models.chatModel(out);
        Path file = catalog != null ? catalog : SampleData.file(SampleData.CATALOG);
        List<Document> data = CsvLoader.from(file).load();
        try (VectorstoreIndex index = VectorstoreIndex.fromCsv(file)) {
            var qa = RetrievalQA.builder()
                    .llm(llm)
                    .chainType(ChainType.STUFF)
                    .retriever(index.asRetriever())
                    .documentSeparator("<<<<>>>>>")
                    .build();

            // Hard-coded examples, written by reading two catalogue rows.
            List<Map<String, Object>> examples = new ArrayList<>(List.of(
                    new QAExample("How many pockets do the Tidewater Arroyo Hiking Pants in Crimson have?", "7").toMap(),
                    new QAExample("Which collection is the Ironwood Gale Base Layer Top in Black from?", "Ironwood").toMap()));

            // Examples the model writes from the first catalogue rows.
            var exampleGenChain = QAGenerateChain.fromLlm(llm);
            var newExamples = exampleGenChain.applyAndParse(data.subList(0, Math.min(generate, data.size())));
            out.println("The model wrote " + newExamples.examples().size() + " examples"
                    + (newExamples.skipped().isEmpty() ? "" : "; " + newExamples.skipped().size() + " answers could not be read"));
            examples.addAll(newExamples.exampleMaps());

            // Manual evaluation: one run with every step traced.
            Tracing.debug(true);
            qa.run(String.valueOf(examples.get(0).get("query")));
            Tracing.debug(false);

            // LLM-assisted evaluation.
            List<Map<String, Object>> predictions = qa.apply(examples);
            var evalChain = QAEvalChain.fromLlm(llm);
            QAEvaluation graded = evalChain.evaluate(examples, predictions);
            for (var result : graded.results()) {
                out.println("\nExample " + result.index() + ":");
                out.println("Question: " + result.query());
                out.println("Real Answer: " + result.answer());
                out.println("Predicted Answer: " + result.prediction());
                out.println("Predicted Grade: " + result.grade());
            }
            out.printf("%n%d of %d correct, %d incorrect, %d ungraded%n", graded.correct(), graded.size(),
                    graded.incorrect(), graded.ungraded());
        }
        return 0;
    }
}
