package dev.trellis.agents.tools.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The classpath of the sandbox JVM: only this package's classes. Everything on the sandbox JVM's
 * classpath is trusted code there, so when Trellis runs from a jar (for example the shaded
 * {@code trellis} command, which holds every dependency) the package is copied out of it once per
 * host JVM into a private temporary directory instead of putting the whole jar on that classpath.
 */
final class SandboxClasses {

    private static final String PACKAGE_PATH = SandboxMain.class.getPackageName().replace('.', '/') + '/';
    private static Path extracted;

    private SandboxClasses() {
    }

    static synchronized String classpath() {
        Path location = location();
        if (Files.isDirectory(location)) {
            return location.toString(); // a build's class directory: it holds only this module's classes
        }
        if (extracted == null) {
            extracted = extract(location);
        }
        return extracted.toString();
    }

    private static Path location() {
        CodeSource source = SandboxMain.class.getProtectionDomain().getCodeSource();
        if (source == null || !"file".equals(source.getLocation().getProtocol())) {
            throw new JavaSandboxException("cannot find the trellis-agents classes on disk to start the sandbox JVM (code source: "
                    + (source == null ? "none" : source.getLocation()) + "); put trellis-agents on the classpath as a jar or directory");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new JavaSandboxException("the trellis-agents location " + source.getLocation() + " is not a file path", e);
        }
    }

    private static Path extract(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Path target = Files.createTempDirectory("trellis-java-sandbox-classes-");
            List<Path> written = new ArrayList<>();
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(PACKAGE_PATH) || !entry.getName().endsWith(".class")) {
                    continue;
                }
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target)) {
                    throw new JavaSandboxException("unexpected entry " + entry.getName() + " in " + jar);
                }
                Files.createDirectories(destination.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
                }
                written.add(destination);
            }
            if (written.isEmpty()) {
                throw new JavaSandboxException(jar + " holds no " + PACKAGE_PATH + " classes; cannot start the sandbox JVM");
            }
            // deleteOnExit deletes in reverse order of registration: outer directories first, files last
            List<Path> directories = new ArrayList<>();
            for (Path dir = written.get(0).getParent(); dir.startsWith(target); dir = dir.getParent()) {
                directories.add(0, dir);
            }
            directories.forEach(dir -> dir.toFile().deleteOnExit());
            written.forEach(path -> path.toFile().deleteOnExit());
            return target;
        } catch (IOException e) {
            throw new JavaSandboxException("cannot copy the sandbox classes out of " + jar + ": " + e.getMessage(), e);
        }
    }
}
