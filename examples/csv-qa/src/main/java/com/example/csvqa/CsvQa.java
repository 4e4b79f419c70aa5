package com.example.csvqa;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.retrieval.qa.AnswerWithSources;
import dev.trellis.retrieval.qa.VectorstoreIndex;

import java.nio.file.Path;
import java.util.List;

/**
 * Questions over your own CSV file: one document per row, embedded in process (all-MiniLM-L6-v2)
 * into a Lucene index on disk, the closest rows handed to the model with the question.
 *
 * <pre>
 * java -Dai.djl.offline=true --add-modules jdk.incubator.vector -jar target/csv-qa.jar [file.csv] [question]
 * </pre>
 *
 * The index is cached by the file's content under {@code ~/.trellis/cache/indexes}: a second run
 * over the same file skips the embedding.
 */
public class CsvQa {

    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "products.csv");
        String question = args.length > 1 ? args[1] : "What is the sun protection of the Ridge Sun Shirt?";

        try (VectorstoreIndex index = VectorstoreIndex.fromCsv(csv)) {   // one document per row
            System.out.printf("%s %s: %d rows in %s%n", index.reusedExisting() ? "Reused the index of" : "Indexed",
                    csv, index.segmentCount(), index.directory());
            // The local fallback answers only with words copied from the retrieved rows (or "I don't know.").
            ChatModel model = ExampleModel.create(() -> CsvQaData.of(csv, index.asRetriever()),
                    local -> local.groundedAnswers(List.of("I don't know.")));

            AnswerWithSources answer = index.queryWithSources(question, model);
            System.out.println("Q: " + answer.question());
            System.out.println("A: " + answer.answer());
            System.out.println("Sources:");
            answer.sourceDocuments().forEach(d -> System.out.println("  " + d.text().replace("\n", " | ")));
        }
    }
}
