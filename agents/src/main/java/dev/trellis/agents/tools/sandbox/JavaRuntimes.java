package dev.trellis.agents.tools.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the host's {@code java} binary and tells the feature version (17, 21, ...) of any binary. */
public final class JavaRuntimes {

    private static final Pattern RELEASE_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([0-9][0-9._+-]*)");
    private static final Pattern VERSION_OUTPUT = Pattern.compile("version \"([0-9][0-9._+-]*)");

    private JavaRuntimes() {
    }

    /** The binary running this JVM. */
    public static Path current() {
        return ProcessHandle.current().info().command()
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    /**
     * The feature version of {@code java}: this JVM's own when it is the current binary, else from the
     * {@code release} file of its installation, else from {@code java -version}.
     */
    public static int featureVersion(Path java) {
        if (sameFile(java, current())) {
            return Runtime.version().feature();
        }
        if (!Files.isExecutable(java)) {
            throw new JavaSandboxException("java executable " + java + " does not exist or is not executable; "
                    + "point javaExecutable at <JDK 17-23>/bin/java");
        }
        Path home = java.toAbsolutePath().getParent() == null ? null : java.toAbsolutePath().getParent().getParent();
        if (home != null && Files.isRegularFile(home.resolve("release"))) {
            try {
                Matcher m = RELEASE_VERSION.matcher(Files.readString(home.resolve("release")));
                if (m.find()) {
                    return feature(m.group(1));
                }
            } catch (IOException unreadable) {
                // fall through to asking the binary itself
            }
        }
        return versionFromBinary(java);
    }

    static int feature(String version) {
        String[] parts = version.split("[._+-]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first; // "1.8.0" is Java 8
    }

    private static int versionFromBinary(Path java) {
        try {
            Process process = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Matcher m = VERSION_OUTPUT.matcher(text);
            if (m.find()) {
                return feature(m.group(1));
            }
            throw new JavaSandboxException("cannot tell the Java version of " + java + ": '" + java + " -version' printed: "
                    + text.strip());
        } catch (IOException e) {
            throw new JavaSandboxException("cannot run " + java + " -version to tell its Java version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JavaSandboxException("interrupted while asking " + java + " for its version", e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
