package dev.trellis.agents.tools.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to start a sandbox JVM.
 *
 * @param javaExecutable   the {@code java} binary for the sandbox JVM (a Java 17-23 runtime)
 * @param scratchDirectory the only directory snippets may read and write; must exist
 * @param maxHeapMegabytes the sandbox JVM's heap limit ({@code -Xmx})
 * @param maxOutputBytes   how much a snippet may print before it is stopped
 * @param classpath        extra jars or class directories snippets may use (loaded as untrusted code)
 * @param startupTimeout   how long the sandbox JVM may take to become ready
 * @param isolateNetwork   also run the JVM in an empty network namespace ({@code unshare -rn}) when
 *                         the operating system allows it; the security manager denies network
 *                         access either way
 */
public record SandboxSettings(Path javaExecutable, Path scratchDirectory, int maxHeapMegabytes, int maxOutputBytes,
                              List<Path> classpath, Duration startupTimeout, boolean isolateNetwork) {

    public SandboxSettings {
        Objects.requireNonNull(javaExecutable, "javaExecutable");
        Objects.requireNonNull(scratchDirectory, "scratchDirectory");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        classpath = List.copyOf(classpath);
        if (maxHeapMegabytes < 32) {
            throw new IllegalArgumentException("maxHeapMegabytes " + maxHeapMegabytes + " is too small: the sandbox JVM "
                    + "runs the Java compiler and needs at least 32 MB; use 128 or more");
        }
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes " + maxOutputBytes + " must be at least 1");
        }
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout " + startupTimeout + " must be positive");
        }
    }
}
