package dev.trellis.retrieval.loaders;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Loads every file under a directory that matches a glob, choosing a {@link Loader} by file extension
 * (LangChain's {@code DirectoryLoader}). Defaults: {@code .csv} {@link CsvLoader}, {@code .txt}
 * {@link TextLoader}, {@code .md}/{@code .markdown} {@link MarkdownLoader}, {@code .jsonl} {@link JsonLinesLoader}
 * (text field {@code text}). Files are visited in path order, so results are reproducible.
 *
 * <p>A matching file with no loader for its extension is listed in the {@link LoadReport} and logged, never
 * dropped quietly. A file that fails to load stops the load (strict, default) or, with {@link Builder#lenient},
 * is skipped and reported, and per-file loaders are made lenient too where they support it.
 */
public final class DirectoryLoader implements Loader {

    private static final Logger log = LoggerFactory.getLogger(DirectoryLoader.class);

    private final Path directory;
    private final String glob;
    private final Map<String, Function<Path, Loader>> loaders;
    private final boolean lenient;

    private DirectoryLoader(Builder b) {
        this.directory = Objects.requireNonNull(b.directory, "directory is required");
        this.glob = b.glob;
        this.loaders = Map.copyOf(b.loaders);
        this.lenient = b.lenient;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every supported file under {@code directory}, strictly. */
    public static DirectoryLoader from(Path directory) {
        return builder().directory(directory).build();
    }

    @Override
    public LoadReport loadWithReport() {
        if (!Files.isDirectory(directory)) {
            throw new DocumentLoadException(directory, directory + " is not a directory; pass the folder that holds the files");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        PathMatcher topLevel = glob.startsWith("**/")
                ? FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)) : matcher;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(directory.relativize(p)) || topLevel.matches(directory.relativize(p)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DocumentLoadException(directory, "cannot list " + directory + ": " + e, e);
        }
        List<dev.langchain4j.data.document.Document> documents = new ArrayList<>();
        List<SkippedRecord> skipped = new ArrayList<>();
        for (Path file : files) {
            String extension = extension(file);
            Function<Path, Loader> factory = loaders.get(extension);
            if (factory == null) {
                skipped.add(new SkippedRecord(file, 0, "no loader for extension '" + extension + "' (known: "
                        + loaders.keySet().stream().sorted().toList() + "); register one with loader(ext, factory)"));
                continue;
            }
            try {
                LoadReport report = factory.apply(file).loadWithReport();
                documents.addAll(report.documents());
                skipped.addAll(report.skipped());
            } catch (DocumentLoadException e) {
                if (!lenient) {
                    throw e;
                }
                skipped.add(new SkippedRecord(file, e instanceof MalformedRecordException m ? m.line() : 0, e.getMessage()));
            }
        }
        if (!skipped.isEmpty()) {
            log.warn("{}: loaded {} documents from {} files, skipped {}: {}", directory, documents.size(), files.size(),
                    skipped.size(), skipped);
        }
        return new LoadReport(documents, skipped);
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "DirectoryLoader[" + directory + ", " + glob + "]";
    }

    /** Options for {@link DirectoryLoader}; only {@link #directory} is required. */
    public static final class Builder {
        private Path directory;
        private String glob = "**";
        private final Map<String, Function<Path, Loader>> loaders = new LinkedHashMap<>();
        private boolean lenient;

        private Builder() {
            loaders.put("csv", p -> CsvLoader.builder().path(p).lenient(lenient).build());
            loaders.put("txt", TextLoader::new);
            loaders.put("md", MarkdownLoader::new);
            loaders.put("markdown", MarkdownLoader::new);
            loaders.put("jsonl", p -> JsonLinesLoader.builder().path(p).lenient(lenient).build());
        }

        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Which files, relative to the directory, e.g. {@code **}{@code /*.md} (default: all, recursively). */
        public Builder glob(String glob) {
            this.glob = Objects.requireNonNull(glob, "glob");
            return this;
        }

        /** Use {@code factory} for files ending in {@code .extension} (replaces a default). */
        public Builder loader(String extension, Function<Path, Loader> factory) {
            loaders.put(extension.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""), Objects.requireNonNull(factory));
            return this;
        }

        /** Skip files that fail to load (reported and logged) instead of failing on the first. */
        public Builder lenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        public DirectoryLoader build() {
            return new DirectoryLoader(this);
        }
    }
}
