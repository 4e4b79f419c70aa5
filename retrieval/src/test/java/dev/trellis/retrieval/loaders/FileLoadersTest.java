package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Text, Markdown, JSON Lines and directory loading. */
class FileLoadersTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    @Test
    void textLoaderLoadsTheWholeFileAndSplitsWithLangchain4j() throws Exception {
        Path file = write("notes.txt", "First paragraph about rain shells.\n\nSecond paragraph about sun hats.");
        List<Document> docs = new TextLoader(file).load();
        assertThat(docs).singleElement().satisfies(d -> {
            assertThat(d.text()).startsWith("First paragraph");
            assertThat(d.metadata().getString("source")).isEqualTo(file.toString());
            assertThat(d.metadata().getString("file_name")).isEqualTo("notes.txt");
        });
        List<TextSegment> segments = new TextLoader(file).loadAndSplit(DocumentSplitters.recursive(40, 0));
        assertThat(segments).extracting(TextSegment::text)
                .containsExactly("First paragraph about rain shells.", "Second paragraph about sun hats.");
        assertThatThrownBy(() -> new TextLoader(write("empty.txt", "  \n")).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("empty");
    }

    @Test
    void markdownLoaderSplitsByHeadingsOutsideCodeFences() throws Exception {
        Path file = write("guide.md", "Intro before any heading.\n# Care guide\nWash cold.\n## Drying\nLine dry.\n"
                + "```\n# not a heading\n```\n## Storage\nKeep dry.\n");
        assertThat(new MarkdownLoader(file).load()).singleElement()
                .satisfies(d -> assertThat(d.metadata().getString("title")).isEqualTo("Care guide"));
        List<Document> sections = new MarkdownLoader(file).splitByHeadings(true).load();
        assertThat(sections).extracting(d -> d.metadata().getString("heading"))
                .containsExactly(null, "Care guide", "Care guide > Drying", "Care guide > Storage");
        assertThat(sections.get(2).text()).contains("Line dry.").contains("# not a heading");
        String joined = String.join("\n", sections.stream().map(Document::text).toList());
        for (String line : Files.readAllLines(file)) {
            assertThat(joined).contains(line); // no text lost
        }
    }

    @Test
    void jsonLinesLoaderTakesTextAndMetadataFields() throws Exception {
        Path file = write("qa.jsonl", "{\"text\":\"Is the Tarn hat UPF 50+?\",\"id\":7,\"score\":0.5,\"tags\":[1]}\n\n"
                + "{\"text\":\"Second\",\"id\":8}\n");
        List<Document> docs = JsonLinesLoader.builder().path(file).build().load();
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).metadata().getLong("id")).isEqualTo(7L);
        assertThat(docs.get(0).metadata().getDouble("score")).isEqualTo(0.5);
        assertThat(docs.get(0).metadata().containsKey("tags")).isFalse();
        assertThat(docs.get(1).metadata().getInteger("line")).isEqualTo(3);
    }

    @Test
    void jsonLinesBadLinesFailStrictlyOrAreReportedWhenLenient() throws Exception {
        Path file = write("bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": broken\n[1,2]\n{\"body\":\"no text\"}\n");
        assertThatThrownBy(() -> JsonLinesLoader.builder().path(file).build().load())
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("line 2")
                .hasMessageContaining("not valid JSON");
        LoadReport report = JsonLinesLoader.builder().path(file).lenient(true).build().loadWithReport();
        assertThat(report.documents()).hasSize(1);
        assertThat(report.skipped()).extracting(SkippedRecord::line).containsExactly(2L, 3L, 4L);
        assertThat(report.skipped().get(2).reason()).contains("'text'").contains("body");
    }

    @Test
    void directoryLoaderPicksLoadersByExtensionAndReportsTheRest() throws Exception {
        write("a.csv", "id,name\n1,Hat\n2,Vest\n");
        write("docs/b.md", "# B\ntext");
        write("docs/deep/c.txt", "plain text");
        write("docs/d.jsonl", "{\"text\":\"line\"}\n");
        write("image.png", "not really an image");
        LoadReport report = DirectoryLoader.from(dir).loadWithReport();
        assertThat(report.documents()).hasSize(5);
        assertThat(report.skipped()).singleElement().satisfies(s -> {
            assertThat(s.source().getFileName().toString()).isEqualTo("image.png");
            assertThat(s.reason()).contains("no loader for extension 'png'");
        });
        List<Document> markdownOnly = DirectoryLoader.builder().directory(dir).glob("**/*.md").build().load();
        assertThat(markdownOnly).singleElement().extracting(Document::text).isEqualTo("# B\ntext");
    }

    @Test
    void directoryLoaderIsStrictByDefaultAndLenientOnRequest() throws Exception {
        write("good.txt", "fine");
        write("broken.csv", "id,name\n1,a,extra\n");
        write("empty.txt", "");
        assertThatThrownBy(() -> DirectoryLoader.from(dir).load()).isInstanceOf(DocumentLoadException.class)
                .hasMessageContaining("broken.csv");
        LoadReport report = DirectoryLoader.builder().directory(dir).lenient(true).build().loadWithReport();
        assertThat(report.documents()).extracting(Document::text).containsExactly("fine");
        assertThat(report.skipped()).hasSize(2);
        assertThatThrownBy(() -> DirectoryLoader.from(dir.resolve("missing")).load())
                .isInstanceOf(DocumentLoadException.class).hasMessageContaining("not a directory");
    }
}
