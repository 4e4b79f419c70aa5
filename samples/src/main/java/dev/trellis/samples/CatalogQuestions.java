package dev.trellis.samples;

import dev.trellis.framework.eval.ExactMatch;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Questions about a catalogue whose right answers the catalogue itself holds: a price, a fabric, the number of
 * pockets, which product has a category, collection and colour, and a yes/no about a price, each asked in
 * the words the local model was trained on. The quickstart asks them through RetrievalQA and marks every
 * answer right or wrong against the CSV row, so a user sees how often the local model reads its context right.
 */
public final class CatalogQuestions {

    /** A question, the answer the catalogue gives, the kind of question and the product's id. */
    public record Question(String text, String expected, String kind, String productId) {
        /** Whether {@code answer} says {@link #expected} (lenient exact match: case, punctuation and spacing aside). */
        public boolean isRight(String answer) {
            return ExactMatch.matches(answer, expected, ExactMatch.Normalization.LENIENT);
        }
    }

    private CatalogQuestions() {
    }

    /** {@code count} questions, cycling through the kinds, about products drawn with {@code seed}. */
    public static List<Question> sample(Path csv, int count, long seed) {
        List<Map<String, String>> rows = read(csv);
        Random rnd = new Random(seed);
        List<Question> out = new ArrayList<>();
        String[] kinds = {"price", "fabric", "which", "pockets", "yes_no"};
        while (out.size() < count) {
            Map<String, String> row = rows.get(rnd.nextInt(rows.size()));
            String kind = kinds[out.size() % kinds.length];
            Question q = ask(row, rows, kind, rnd);
            if (q != null) {
                out.add(q);
            }
        }
        return out;
    }

    private static Question ask(Map<String, String> row, List<Map<String, String>> rows, String kind, Random rnd) {
        String name = row.get("name");
        String id = row.get("id");
        switch (kind) {
            case "price":
                return new Question("How much does the " + name + " cost?", "$" + row.get("price"), kind, id);
            case "fabric":
                return new Question("What is the " + name + " made of?", row.get("fabric"), kind, id);
            case "pockets":
                return new Question("How many pockets does the " + name + " have?", row.get("pockets"), kind, id);
            case "which": {
                long same = rows.stream().filter(r -> r.get("category").equals(row.get("category"))
                        && r.get("collection").equals(row.get("collection")) && r.get("color").equals(row.get("color"))).count();
                if (same != 1) {
                    return null;
                }
                return new Question("Which " + row.get("category").toLowerCase(Locale.ROOT) + " from the " + row.get("collection")
                        + " collection comes in " + row.get("color") + "?", name, kind, id);
            }
            case "yes_no": {
                double price = Double.parseDouble(row.get("price"));
                double threshold = Math.max(10, Math.round(price * (0.6 + 0.8 * rnd.nextDouble()) / 10) * 10.0);
                if (threshold == price) {
                    return null;
                }
                return new Question(String.format(Locale.ROOT, "Is the price of the %s more than $%.2f?", name, threshold),
                        price > threshold ? "Yes" : "No", kind, id);
            }
            default:
                throw new IllegalArgumentException("no catalogue question kind '" + kind + "'");
        }
    }

    private static List<Map<String, String>> read(Path csv) {
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
            for (String column : List.of("id", "name", "category", "collection", "fabric", "color", "pockets", "price")) {
                if (!parser.getHeaderMap().containsKey(column)) {
                    throw new IllegalArgumentException(csv + " has no '" + column + "' column; the quickstart's checked questions"
                            + " need id, name, category, collection, fabric, color, pockets and price (or ask your own with -q)");
                }
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (CSVRecord r : parser) {
                rows.add(r.toMap());
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(csv + " has no rows to ask about");
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
    }
}
