package dev.trellis.samples.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogGeneratorTest {

    /** Surefire runs in the module directory. */
    private static final Path SHIPPED = Path.of("src/main/resources/data/catalog.csv");

    @Test
    void regeneratingWithTheSeedReproducesTheShippedFileByteForByte() throws Exception {
        byte[] shipped = Files.readAllBytes(SHIPPED);
        byte[] regenerated = CatalogGenerator.generate(CatalogGenerator.DEFAULT_SEED, CatalogGenerator.DEFAULT_SIZE)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(regenerated).as("regenerate with CatalogGenerator.main and commit the file").isEqualTo(shipped);
    }

    @Test
    void productsAreUniqueAndEveryQuestionKeyHasOneAnswer() throws Exception {
        List<CSVRecord> rows = parse(CatalogGenerator.generate(CatalogGenerator.DEFAULT_SEED, 1000));
        assertThat(rows).hasSize(1000);
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (CSVRecord row : rows) {
            assertThat(names.add(row.get("name"))).as("unique name %s", row.get("name")).isTrue();
            assertThat(keys.add(row.get("collection") + "|" + row.get("category") + "|" + row.get("color"))).isTrue();
            String description = row.get("description");
            assertThat(description).contains(row.get("collection"), row.get("fabric"), row.get("color"),
                    "$" + row.get("price"));
            assertThat(description).contains(row.get("upf").equals("none") ? "no UPF" : "UPF " + row.get("upf"));
        }
    }

    @Test
    void differentSeedsGiveDifferentCataloguesAndSizeIsChecked() {
        assertThat(CatalogGenerator.generate(1, 50)).isNotEqualTo(CatalogGenerator.generate(2, 50));
        assertThatThrownBy(() -> CatalogGenerator.generate(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void writeIsAtomicAndLeavesNoTempFiles(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("data/catalog.csv");
        CatalogGenerator.write(target, 7, 20);
        assertThat(Files.readString(target)).isEqualTo(CatalogGenerator.generate(7, 20));
        try (var files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    private static List<CSVRecord> parse(String csv) throws Exception {
        try (CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv))) {
            return parser.getRecords();
        }
    }
}
