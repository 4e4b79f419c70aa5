package dev.trellis.samples;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.retrieval.qa.ChainType;
import dev.trellis.retrieval.qa.RetrievalQA;
import dev.trellis.retrieval.qa.VectorstoreIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The course's Q&amp;A-over-documents section: the index one-liner, then the same thing step by step. */
@Command(name = "qa", mixinStandardHelpOptions = true,
        description = {"Question answering over the product catalogue, as in LangChain's Q&A lesson: the"
                + " VectorstoreIndex one-liner, then the same steps by hand (load, embed, search, RetrievalQA \"stuff\").",
                "The index is built once under $TRELLIS_HOME and reused."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis qa -q \"Which rain jackets come in olive?\""})
public final class QaCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = {"-q", "--query"}, paramLabel = "TEXT", defaultValue = "Please list all your shirts with sun protection"
            + " in a table in markdown and summarize each one.", description = "The question (default: ${DEFAULT-VALUE}).")
    String query;

    @Option(names = "--catalog", paramLabel = "FILE", description = "A CSV file to ask about (default: the bundled catalog.csv).")
    Path catalog;

    @Option(names = "--lenient", description = "Skip malformed CSV rows (each is listed in a warning) instead of stopping at the first.")
    boolean lenient;

    @Option(names = "--max-document-chars", paramLabel = "N", defaultValue = "" + VectorstoreIndex.DEFAULT_MAX_DOCUMENT_CHARS,
            description = "Longest row accepted, in characters; a longer one is refused before anything is embedded"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxDocumentChars;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        ChatModel llm = models.chatModel(out);
        Path file = catalog != null ? catalog : SampleData.file(SampleData.CATALOG);
        if (maxDocumentChars < 1) {
            throw new UserError("--max-document-chars " + maxDocumentChars + ": give a positive number of characters");
        }
        CsvLoader loader = CsvLoader.builder().path(file).lenient(lenient).build();

        out.println("\n=== VectorstoreIndex: one line ===");
        // The lenient index is keyed by the rows it holds; a strict one by the file's bytes.
        VectorstoreIndex.Builder builder = lenient ? VectorstoreIndex.builder().loaders(List.of(loader))
                : VectorstoreIndex.builder().csv(file);
        try (IndexProgress progress = new IndexProgress(file);
             VectorstoreIndex index = builder.maxDocumentChars(maxDocumentChars).progressListener(progress).build()) {
            progress.close();
            out.println(index.query(query, llm));

            out.println("\n=== Step by step ===");
            List<Document> docs = loader.load();
            out.println("docs.get(0) = " + docs.get(0));

            Embedding embed = index.embeddingModel().embed("Hi, my name is Grace").content();
            out.println("embedding dimension " + embed.dimension() + ", first values "
                    + Arrays.toString(Arrays.copyOf(embed.vector(), 5)));

            var retriever = index.asRetriever();
            var qaStuff = RetrievalQA.builder()
                    .llm(llm)
                    .chainType(ChainType.STUFF)
                    .retriever(retriever)
                    .returnSourceDocuments(true)
                    .verbose(true)
                    .build();
            Map<String, Object> response = qaStuff.call(Map.of("query", query));
            out.println(response.get("result"));
            out.println("\nSources:");
            for (Object source : (List<?>) response.get("source_documents")) {
                Document doc = (Document) source;
                out.println("  row " + doc.metadata().getInteger("row") + ": " + doc.text().lines().findFirst().orElse(""));
            }
        }
        return 0;
    }
}
