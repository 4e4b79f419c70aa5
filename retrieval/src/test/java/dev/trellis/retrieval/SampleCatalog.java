package dev.trellis.retrieval;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The sample catalogue shipped by the samples module, and questions generated from its rows. */
public final class SampleCatalog {

    /** Surefire runs in the module directory, so the samples module is a sibling. */
    public static final Path PATH = Path.of("../samples/src/main/resources/data/catalog.csv");

    /** Structured columns kept as metadata; their facts are also in each row's description. */
    public static final String[] METADATA_COLUMNS = {"category", "collection", "fabric", "color", "upf", "pockets"};

    /** The catalogue's documents: id, name, description and price as text, the structured columns as metadata. */
    public static java.util.List<dev.langchain4j.data.document.Document> documents() {
        return dev.trellis.retrieval.loaders.CsvLoader.builder().path(PATH).metadataColumns(METADATA_COLUMNS).build()
                .load();
    }

    /** A question whose single answer is the product in data row {@code row}. */
    public record Question(String text, int row) {
    }

    private SampleCatalog() {
    }

    /** {@code count} questions about distinct random rows, e.g. "Which sun hat from the Basalt collection ...?". */
    public static List<Question> questions(long seed, int count) throws IOException {
        List<CSVRecord> rows;
        try (Reader reader = Files.newBufferedReader(PATH);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            rows = parser.getRecords();
        }
        Random random = new Random(seed);
        List<Question> questions = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        while (questions.size() < count) {
            int row = random.nextInt(rows.size());
            if (used.contains(row)) {
                continue;
            }
            used.add(row);
            CSVRecord r = rows.get(row);
            String upf = r.get("upf").equals("none") ? "no UPF rating" : "UPF " + r.get("upf") + " sun protection";
            String text = "Which " + r.get("category").toLowerCase() + " from the " + r.get("collection")
                    + " collection comes in " + r.get("color") + ", with " + upf + " and " + r.get("pockets")
                    + (r.get("pockets").equals("1") ? " pocket?" : " pockets?");
            questions.add(new Question(text, row));
        }
        return questions;
    }
}
