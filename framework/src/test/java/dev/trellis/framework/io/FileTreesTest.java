package dev.trellis.framework.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreesTest {

    @TempDir
    Path tmp;

    @Test
    void deletesATreeDeepestFirstAndLeavesItsSiblings() throws IOException {
        Path root = tmp.resolve("run");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/model.safetensors"), "weights");
        Files.writeString(root.resolve("a/metrics.jsonl"), "{}");
        Path sibling = Files.writeString(tmp.resolve("keep.txt"), "keep");

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(sibling).hasContent("keep");
    }

    @Test
    void aMissingTreeIsNothingToDo() throws IOException {
        FileTrees.delete(tmp.resolve("never-made"));
        FileTrees.deleteUnchecked(tmp.resolve("never-made"));
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void aSingleFileIsDeletedToo() {
        Path file = tmp.resolve("one.txt");
        FileTrees.deleteUnchecked(writeFile(file));
        assertThat(file).doesNotExist();
    }

    private static Path writeFile(Path file) {
        try {
            return Files.writeString(file, "x");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
