package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Loads a whole text file as one {@link Document} (LangChain's {@code TextLoader}), with metadata
 * {@code source} (the path) and {@code file_name}. Undecodable bytes, binary content and empty files are
 * {@link DocumentLoadException}s rather than garbled or blank documents.
 */
public final class TextLoader implements Loader {

    private final Path path;
    private final Charset charset;

    public TextLoader(Path path) {
        this(path, StandardCharsets.UTF_8);
    }

    public TextLoader(Path path, Charset charset) {
        this.path = Objects.requireNonNull(path, "path");
        this.charset = Objects.requireNonNull(charset, "charset");
    }

    @Override
    public LoadReport loadWithReport() {
        String text = TextFiles.read(path, charset);
        if (text.isBlank()) {
            throw new DocumentLoadException(path, path + " is empty (or only whitespace): there is no text to load");
        }
        return new LoadReport(List.of(Document.from(text, metadata(path))), List.of());
    }

    static Metadata metadata(Path path) {
        return Metadata.from("source", path.toString()).put("file_name", String.valueOf(path.getFileName()));
    }

    @Override
    public String toString() {
        return "TextLoader[" + path + "]";
    }
}
