package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.trellis.retrieval.SampleCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CSV torture tests: every input ends in a correct parse or a clear error, never a silent loss. */
class CsvLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    @Test
    void oneDocumentPerRowWithColumnValueLinesSourceAndRow() throws Exception {
        Path file = write("p.csv", "id,name,price\n1,Tarn Jacket,120.00\n2,Scree Pants,80.50\n");
        List<Document> docs = CsvLoader.from(file).load();
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).text()).isEqualTo("id: 1\nname: Tarn Jacket\nprice: 120.00");
        assertThat(docs.get(1).metadata().getString("source")).isEqualTo(file.toString());
        assertThat(docs.get(1).metadata().getInteger("row")).isEqualTo(1);
    }

    @Test
    void quotedFieldsWithDelimitersNewlinesAndDoubledQuotes() throws Exception {
        Path file = write("q.csv", "id,description\n"
                + "1,\"Light, packable, \"\"tough\"\" shell\nwith a second line\"\n"
                + "2,plain\n");
        List<Document> docs = CsvLoader.from(file).load();
        assertThat(docs).extracting(Document::text).containsExactly(
                "id: 1\ndescription: Light, packable, \"tough\" shell\nwith a second line",
                "id: 2\ndescription: plain");
        assertThat(docs.get(1).metadata().getInteger("row")).isEqualTo(1);
    }

    @Test
    void utf8BomCrlfAndBlankLinesAreAccepted() throws Exception {
        byte[] body = "id,name\r\n\r\n1,Fjällräven-ish Hat\r\n\r\n\r\n2,Ümlaut Vest\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        List<Document> docs = CsvLoader.from(write("bom.csv", withBom)).load();
        assertThat(docs).extracting(Document::text)
                .containsExactly("id: 1\nname: Fjällräven-ish Hat", "id: 2\nname: Ümlaut Vest");
    }

    @Test
    void contentMetadataAndSourceColumnsAndDelimiter() throws Exception {
        Path file = write("s.csv", "id;name;category\nTR-1;Cairn Hat;Hats\nTR-2;Gale Shell;Jackets\n");
        List<Document> docs = CsvLoader.builder().path(file).delimiter(';').contentColumns("name")
                .metadataColumns("category").sourceColumn("id").build().load();
        assertThat(docs.get(1).text()).isEqualTo("name: Gale Shell");
        assertThat(docs.get(1).metadata().getString("category")).isEqualTo("Jackets");
        assertThat(docs.get(1).metadata().getString("source")).isEqualTo("TR-2");
    }

    @Test
    void unknownColumnsAreNamedWithTheHeader() throws Exception {
        Path file = write("u.csv", "id,name\n1,a\n");
        assertThatThrownBy(() -> CsvLoader.builder().path(file).metadataColumns("colour").build().load())
                .isInstanceOf(DocumentLoadException.class)
                .hasMessageContaining("[colour]").hasMessageContaining("[id, name]");
    }

    @Test
    void raggedRowIsAnErrorNamingFileAndLineWhenStrict() throws Exception {
        Path file = write("r.csv", "id,name,price\n1,a,1.00\n\n2,b\n3,c,3.00\n");
        assertThatThrownBy(() -> CsvLoader.from(file).load())
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("line 4")
                .hasMessageContaining("expected 3 fields").hasMessageContaining("found 2")
                .satisfies(e -> assertThat(((MalformedRecordException) e).line()).isEqualTo(4));
    }

    @Test
    void raggedRowsAreSkippedAndReportedWhenLenient() throws Exception {
        Path file = write("r.csv", "id,name,price\n1,a,1.00\n2,b\n3,c,3.00,extra\n4,d,4.00\n");
        LoadReport report = CsvLoader.builder().path(file).lenient(true).build().loadWithReport();
        assertThat(report.documents()).extracting(d -> d.metadata().getInteger("row")).containsExactly(0, 3);
        assertThat(report.skipped()).extracting(SkippedRecord::line).containsExactly(3L, 4L);
        assertThat(report.isComplete()).isFalse();
        // every data row is accounted for: loaded or reported
        assertThat(report.documents().size() + report.skipped().size()).isEqualTo(4);
    }

    @Test
    void unterminatedQuoteIsAnErrorWithItsLine() throws Exception {
        Path file = write("t.csv", "id,name\n1,ok\n2,\"never closed\n3,next\n");
        assertThatThrownBy(() -> CsvLoader.from(file).load())
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("line 3")
                .hasMessageContaining("quote");
    }

    @Test
    void unterminatedQuoteIsSkippedAndParsingResumesWhenLenient() throws Exception {
        Path file = write("t.csv", "id,name\n1,ok\n2,\"bad\"x\n3,next\n");
        LoadReport report = CsvLoader.builder().path(file).lenient(true).build().loadWithReport();
        assertThat(report.documents()).extracting(Document::text).containsExactly("id: 1\nname: ok", "id: 3\nname: next");
        assertThat(report.skipped()).singleElement().satisfies(s -> assertThat(s.line()).isEqualTo(3));
    }

    @Test
    void emptyAndBlankFilesAreClearErrors() throws Exception {
        assertThatThrownBy(() -> CsvLoader.from(write("e.csv", "")).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> CsvLoader.from(write("b.csv", "\n\r\n\n")).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("empty");
    }

    @Test
    void headerOnlyFileHasNoDocumentsAndNothingSkipped() throws Exception {
        LoadReport report = CsvLoader.from(write("h.csv", "id,name\n")).loadWithReport();
        assertThat(report.documents()).isEmpty();
        assertThat(report.isComplete()).isTrue();
    }

    @Test
    void binaryGarbageIsAClearError() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        assertThatThrownBy(() -> CsvLoader.from(write("g.csv", garbage)).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("not valid UTF-8");
        byte[] withNul = "id,name\n1,a\0b\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CsvLoader.from(write("n.csv", withNul)).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("looks binary");
    }

    @Test
    void missingFileAndBadHeaderAreClearErrors() throws Exception {
        assertThatThrownBy(() -> CsvLoader.from(dir.resolve("nope.csv")).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> CsvLoader.from(write("d.csv", "id,id\n1,2\n")).load())
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> CsvLoader.from(write("k.csv", "id,,x\n1,2,3\n")).load())
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("blank column name");
    }

    @Test
    void theShippedCatalogueLoadsCompletely() {
        LoadReport report = CsvLoader.from(SampleCatalog.PATH).loadWithReport();
        assertThat(report.documents()).hasSize(1000);
        assertThat(report.isComplete()).isTrue();
        assertThat(report.documents().get(0).text()).startsWith("id: TR-0001\nname: ").contains("\nprice: ");
    }
}
