package dev.trellis.samples.bench;

import dev.trellis.samples.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least a given version for a child process (the bench's Jlama peer
 * needs 21+ while Trellis runs on 17): {@code --peer-java PATH}, else {@code JAVA21_HOME}, else
 * {@code JAVA_HOME}, else the running JVM, else the newest JDK under the usual install folders.
 * A JDK is read from its {@code release} file; it must have {@code bin/java} and the modules the
 * child needs (the single-file source launcher needs {@code jdk.compiler}, so a bare JRE will not do).
 */
final class JavaRuntimeFinder {

    /** One installed Java: its home folder and feature version (25 for 25.0.3). */
    record JavaRuntime(Path home, int feature, String version) {
        Path java() {
            return home.resolve("bin").resolve(isWindows() ? "java.exe" : "java");
        }
    }

    /** What the search found, or, when it found nothing usable, what it looked at. */
    record Search(Optional<JavaRuntime> runtime, String why) {
    }

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([^\"\\s]+)\"?");
    private static final Pattern MODULES = Pattern.compile("(?m)^MODULES=\"?([^\"\\n]*)\"?");

    private final int minimum;
    private final List<String> modules;
    private final Map<String, String> env;
    private final Path runningHome;
    private final List<Path> installRoots;

    JavaRuntimeFinder(int minimum, List<String> modules, Map<String, String> env, Path runningHome, List<Path> installRoots) {
        this.minimum = minimum;
        this.modules = List.copyOf(modules);
        this.env = Map.copyOf(env);
        this.runningHome = runningHome;
        this.installRoots = List.copyOf(installRoots);
    }

    /** The finder over this machine: its environment, this JVM, and where Linux, macOS and SDKMAN put JDKs. */
    static JavaRuntimeFinder onThisMachine(int minimum, List<String> modules) {
        Path user = Path.of(System.getProperty("user.home"));
        return new JavaRuntimeFinder(minimum, modules, System.getenv(), Path.of(System.getProperty("java.home")),
                List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"), Path.of("/Library/Java/JavaVirtualMachines"),
                        user.resolve(".sdkman/candidates/java"), user.resolve(".jdks")));
    }

    /**
     * The runtime to use. {@code explicit} (a JDK home or its {@code bin/java}), when given, must
     * qualify, or it is the user's mistake, named with {@code flag}; otherwise the first that qualifies in
     * the order above, else none, with every place looked at in {@link Search#why()}.
     */
    Search find(Path explicit, String flag) {
        if (explicit != null) {
            Path home = Files.isRegularFile(explicit) && explicit.getParent() != null && explicit.getParent().getParent() != null
                    ? explicit.getParent().getParent() : explicit;
            String problem = problem(home);
            if (problem != null) {
                throw new UserError(flag + " " + explicit + " will not do (" + problem + "); give the home folder of a Java " + minimum
                        + "+ JDK (the folder holding bin/java and the release file)");
            }
            return new Search(read(home), flag + " " + explicit);
        }
        List<String> looked = new ArrayList<>();
        for (String variable : List.of("JAVA" + minimum + "_HOME", "JAVA_HOME")) {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                looked.add(variable + " unset");
                continue;
            }
            Search found = candidate(Path.of(value), variable, looked);
            if (found != null) {
                return found;
            }
        }
        if (runningHome != null) {
            Search found = candidate(runningHome, "this JVM", looked);
            if (found != null) {
                return found;
            }
        }
        List<JavaRuntime> installed = new ArrayList<>();
        List<String> scanned = new ArrayList<>();
        for (Path home : installedHomes()) {
            String problem = problem(home);
            if (problem == null) {
                installed.add(read(home).orElseThrow());
            } else {
                scanned.add(home.getFileName() + " (" + problem + ")");
            }
        }
        Optional<JavaRuntime> newest = installed.stream()
                .max(Comparator.comparingInt(JavaRuntime::feature).thenComparing(r -> r.home().toString()));
        if (newest.isPresent()) {
            return new Search(newest, newest.get().home().getParent().toString());
        }
        looked.add(scanned.isEmpty() ? "no JDK under " + installRoots.stream().filter(Files::isDirectory).toList()
                : "under the JDK folders: " + String.join(", ", scanned));
        return new Search(Optional.empty(), "no Java " + minimum + "+ runtime found (" + String.join("; ", looked) + ")");
    }

    /** A found runtime for {@code home} (named {@code source}), or null after noting in {@code looked} why not. */
    private Search candidate(Path home, String source, List<String> looked) {
        String problem = problem(home);
        if (problem == null) {
            return new Search(read(home), source);
        }
        looked.add(source + " " + home + ": " + problem);
        return null;
    }

    /** Why {@code home} is not a usable Java {@code minimum}+, or null when it is. */
    String problem(Path home) {
        Optional<JavaRuntime> runtime = read(home);
        if (runtime.isEmpty()) {
            return Files.isDirectory(home) ? "no release file" : "not a folder";
        }
        if (runtime.get().feature() < minimum) {
            return "Java " + runtime.get().version();
        }
        if (!Files.isExecutable(runtime.get().java())) {
            return "no executable bin/java";
        }
        String missing = missingModules(home);
        return missing.isEmpty() ? null : "Java " + runtime.get().version() + " without " + missing;
    }

    /** The Java in {@code home} as its {@code release} file describes it, or empty when there is none to read. */
    static Optional<JavaRuntime> read(Path home) {
        try {
            String release = Files.readString(home.resolve("release"));
            Matcher m = JAVA_VERSION.matcher(release);
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new JavaRuntime(home, feature(m.group(1)), m.group(1)));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** 25 for "25.0.3", 21 for "21", 8 for "1.8.0_402", 26 for "26-ea". */
    static int feature(String version) {
        String[] parts = version.split("[.\\-+_]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    }

    /** The needed modules the release file's MODULES line lacks ("" when none, or when it lists none at all). */
    private String missingModules(Path home) {
        try {
            Matcher m = MODULES.matcher(Files.readString(home.resolve("release")));
            if (!m.find()) {
                return "";
            }
            Set<String> present = Set.of(m.group(1).trim().split("\\s+"));
            return String.join(", ", modules.stream().filter(module -> !present.contains(module)).toList());
        } catch (IOException e) {
            return "";
        }
    }

    /** Every folder under the install roots that may be a JDK home (macOS keeps it in Contents/Home), once each. */
    private List<Path> installedHomes() {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> homes = new ArrayList<>();
        for (Path root : installRoots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                for (Path child : children.sorted().toList()) {
                    Path home = Files.isDirectory(child.resolve("Contents/Home")) ? child.resolve("Contents/Home") : child;
                    // default-java and the like are links to a JDK listed beside them
                    if (Files.isDirectory(home) && seen.add(realPath(home))) {
                        homes.add(home);
                    }
                }
            } catch (IOException e) {
                // an unreadable install folder holds nothing we can use
            }
        }
        return homes;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }
}
