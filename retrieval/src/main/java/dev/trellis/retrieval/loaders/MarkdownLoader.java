package dev.trellis.retrieval.loaders;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a Markdown file, whole (default) or as one {@link Document} per section
 * ({@link #splitByHeadings(boolean)}), in the spirit of LangChain's markdown loader and header splitter.
 * Metadata: {@code source}, {@code file_name}, {@code title} (the first top-level heading, if any) and, per
 * section, {@code heading} (the heading path, e.g. {@code "Care > Washing"}). Headings inside fenced code
 * blocks are not headings. Text before the first heading becomes its own section; no text is dropped.
 */
public final class MarkdownLoader implements Loader {

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*#*\\s*$");

    private final Path path;
    private final boolean splitByHeadings;

    private MarkdownLoader(Path path, boolean splitByHeadings) {
        this.path = Objects.requireNonNull(path, "path");
        this.splitByHeadings = splitByHeadings;
    }

    /** The whole file as one document. */
    public MarkdownLoader(Path path) {
        this(path, false);
    }

    /** A loader that returns one document per heading section. */
    public MarkdownLoader splitByHeadings(boolean split) {
        return new MarkdownLoader(path, split);
    }

    @Override
    public LoadReport loadWithReport() {
        String text = TextFiles.read(path, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new DocumentLoadException(path, path + " is empty (or only whitespace): there is no text to load");
        }
        String[] lines = text.split("\\R", -1);
        String title = null;
        boolean fenced = false;
        List<String> headingPath = new ArrayList<>();
        List<Document> sections = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String currentHeading = "";
        for (String line : lines) {
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
            }
            Matcher m = fenced ? null : HEADING.matcher(line);
            if (m != null && m.matches()) {
                int level = m.group(1).length();
                String heading = m.group(2).strip();
                if (title == null && level == 1) {
                    title = heading;
                }
                if (splitByHeadings) {
                    addSection(sections, current, currentHeading);
                    current.setLength(0);
                    while (headingPath.size() >= level) {
                        headingPath.remove(headingPath.size() - 1);
                    }
                    while (headingPath.size() < level - 1) {
                        headingPath.add("");
                    }
                    headingPath.add(heading);
                    currentHeading = String.join(" > ", headingPath.stream().filter(h -> !h.isEmpty()).toList());
                }
            }
            current.append(line).append('\n');
        }
        List<Document> documents = new ArrayList<>();
        if (splitByHeadings) {
            addSection(sections, current, currentHeading);
            documents.addAll(sections);
        } else {
            documents.add(Document.from(text, TextLoader.metadata(path)));
        }
        if (title != null) {
            for (Document d : documents) {
                d.metadata().put("title", title);
            }
        }
        return new LoadReport(documents, List.of());
    }

    private void addSection(List<Document> sections, StringBuilder text, String heading) {
        if (text.toString().isBlank()) {
            return;
        }
        Metadata metadata = TextLoader.metadata(path);
        if (!heading.isEmpty()) {
            metadata.put("heading", heading);
        }
        sections.add(Document.from(text.toString().strip(), metadata));
    }

    @Override
    public String toString() {
        return "MarkdownLoader[" + path + (splitByHeadings ? ", by headings]" : "]");
    }
}
