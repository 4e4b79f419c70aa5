package dev.trellis.samples;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The main job: everything Trellis does, end to end, offline. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The tour: indexes the bundled product catalogue with local embeddings into a Lucene index"
                + " under $TRELLIS_HOME, then finds the catalogue rows that answer a few questions.",
                "Later runs reuse the index and start in seconds."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis quickstart", "  trellis quickstart -q \"Which rain jackets have sun protection?\""})
public final class QuickstartCommand implements Callable<Integer> {

    @Option(names = {"-q", "--question"}, paramLabel = "TEXT", description = "A question about the catalogue; repeatable.")
    List<String> questions = List.of("Do you sell a shirt with sun protection?",
            "I need a warm parka for a winter trip", "Which rain pants are fully waterproof?");

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "A catalogue CSV with columns id, name, description, category, price (default: the bundled catalog.csv).")
    Path catalog;

    @Option(names = "--k", defaultValue = "3", description = "Rows to show per question (default: ${DEFAULT-VALUE}).")
    int k;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        Path csv = catalog != null ? catalog : SampleData.file(SampleData.CATALOG);
        String name = csv.getFileName().toString().replaceFirst("\\.csv$", "");
        out.println("Step 1: index " + csv.getFileName() + " with local embeddings (all-MiniLM-L6-v2) into Lucene");
        try (CatalogIndex index = CatalogIndex.openOrBuild(csv, TrellisHome.indexes().resolve(name), out)) {
            out.println("\nStep 2: find the catalogue rows for a few questions");
            for (String question : questions) {
                out.println("\n> " + question);
                for (EmbeddingMatch<TextSegment> match : index.similaritySearch(question, k)) {
                    var row = match.embedded().metadata();
                    out.printf("  %.3f  %s  %s (%s, $%s)%n", match.score(), row.getString("id"), row.getString("name"),
                            row.getString("category"), row.getString("price"));
                }
            }
        }
        out.println("\nNext: chat with a model (`trellis chat`), or run the course samples: `trellis --help`.");
        return 0;
    }
}
