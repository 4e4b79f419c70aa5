package dev.trellis.agents.tools.sandbox;

import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads JShell's compiled snippets (and the user's extra classpath) into one
 * {@link SnippetClassLoader}. Every class that loader defines is untrusted: {@link SandboxPolicy}
 * recognises its protection domains by the loader and grants them only the sandbox's permissions.
 * Its parent is the platform loader, so snippets cannot see the sandbox's own classes.
 */
final class SnippetLoaderDelegate implements LoaderDelegate {

    private final SnippetClassLoader loader = new SnippetClassLoader();
    private final Map<String, Class<?>> loaded = new HashMap<>();

    /** The loader of all untrusted code in this sandbox JVM. */
    ClassLoader loader() {
        return loader;
    }

    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException {
        boolean[] installed = new boolean[classes.length];
        try {
            for (ClassBytecodes bytecodes : classes) {
                loader.declare(bytecodes.name(), bytecodes.bytecodes());
            }
            for (int i = 0; i < classes.length; i++) {
                Class<?> klass = loader.loadClass(classes[i].name());
                loaded.put(classes[i].name(), klass);
                installed[i] = true;
                klass.getDeclaredMethods(); // links and verifies now, as JShell's own delegate does
            }
        } catch (Throwable failure) {
            throw new ClassInstallException("load: " + failure.getMessage(), installed);
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] classes) {
        for (ClassBytecodes bytecodes : classes) {
            loader.declare(bytecodes.name(), bytecodes.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String classpath) throws InternalException {
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                loader.addEntry(Path.of(entry).toUri().toURL());
            } catch (MalformedURLException | RuntimeException bad) {
                throw new InternalException("classpath entry '" + entry + "' is not a usable path: " + bad.getMessage());
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> klass = loaded.get(name);
        if (klass == null) {
            throw new ClassNotFoundException(name + " was not loaded into the sandbox");
        }
        return klass;
    }

    /** The loader of untrusted code: snippets and the user's extra classpath. */
    static final class SnippetClassLoader extends URLClassLoader {

        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> declared = new HashMap<>();
        private final ProtectionDomain snippetDomain;

        SnippetClassLoader() {
            super(new URL[0], ClassLoader.getPlatformClassLoader());
            CodeSource source;
            try {
                source = new CodeSource(new URL("file:/trellis-sandbox/snippets/"), (Certificate[]) null);
            } catch (MalformedURLException impossible) {
                throw new IllegalStateException(impossible);
            }
            // Four-argument constructor: permissions come from the installed Policy, not a fixed set.
            snippetDomain = new ProtectionDomain(source, null, this, null);
        }

        synchronized void declare(String name, byte[] bytecodes) {
            declared.put(name, bytecodes);
        }

        void addEntry(URL url) {
            addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytecodes;
            synchronized (this) {
                bytecodes = declared.get(name);
            }
            if (bytecodes == null) {
                return super.findClass(name);
            }
            return defineClass(name, bytecodes, 0, bytecodes.length, snippetDomain);
        }
    }
}
