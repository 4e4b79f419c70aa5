package dev.trellis.agents.tools.sandbox;

import java.io.FilePermission;
import java.lang.reflect.ReflectPermission;
import java.net.SocketPermission;
import java.nio.file.LinkPermission;
import java.security.Permission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PropertyPermission;
import java.util.Set;

/**
 * The permissions the sandbox refused while the current snippet ran, in words a model can act on
 * ("reading /etc/passwd is outside the sandbox directory /tmp/..."). Recorded by the security
 * manager at the moment of refusal, so a snippet that catches the exception is still reported.
 */
final class Refusals {

    private static final int MAX_KEPT = 8;

    private final String scratch;
    private final List<String> runtimeRoots;
    private final Set<String> recorded = new LinkedHashSet<>();

    /**
     * @param scratch      the sandbox directory, named in file refusals
     * @param runtimeRoots the JDK and the sandbox's own classpath: JDK plumbing (service lookups) probes
     *                     files there on a snippet's behalf and copes with the refusal, so those reads are
     *                     not worth reporting (a snippet that reads them on purpose still gets the exception)
     */
    Refusals(String scratch, List<String> runtimeRoots) {
        this.scratch = scratch;
        this.runtimeRoots = List.copyOf(runtimeRoots);
    }

    synchronized void record(Permission permission) {
        if (recorded.size() < MAX_KEPT && !isRuntimeProbe(permission)) {
            recorded.add(describe(permission));
        }
    }

    private boolean isRuntimeProbe(Permission permission) {
        if (!(permission instanceof FilePermission) || !"read".equals(permission.getActions())) {
            return false;
        }
        String path = permission.getName();
        return runtimeRoots.stream().anyMatch(root -> path.equals(root) || path.startsWith(root + java.io.File.separator));
    }

    /** The refusals since the last drain, oldest first, and a fresh start. */
    synchronized List<String> drain() {
        List<String> all = new ArrayList<>(recorded);
        recorded.clear();
        return all;
    }

    String describe(Permission permission) {
        String name = permission.getName();
        String actions = permission.getActions();
        if (permission instanceof FilePermission) {
            if (actions.contains("execute")) {
                return "starting a process" + ("<<ALL FILES>>".equals(name) ? "" : " (" + name + ")")
                        + " is not allowed in the sandbox";
            }
            String verb = actions.contains("write") ? "writing" : actions.contains("delete") ? "deleting" : "reading";
            return verb + " " + name + " is outside the sandbox directory " + scratch;
        }
        if (permission instanceof SocketPermission) {
            if (actions.contains("connect")) {
                return "connecting to " + name + " is not allowed: the sandbox has no network access";
            }
            if (actions.contains("listen") || actions.contains("accept")) {
                return "listening on or accepting network connections (" + name + ") is not allowed: the sandbox has no network access";
            }
            return "resolving host name " + name + " is not allowed: the sandbox has no network access";
        }
        if (permission instanceof RuntimePermission) {
            if (name.startsWith("exitVM")) {
                String status = name.startsWith("exitVM.") ? name.substring("exitVM.".length()) : "";
                return "System.exit(" + status + ") is not allowed in the sandbox: end the snippet normally and print the result";
            }
            if (name.startsWith("getenv.")) {
                return "reading the environment variable " + name.substring("getenv.".length()) + " is not allowed in the sandbox";
            }
            if (name.startsWith("loadLibrary.")) {
                return "loading the native library " + name.substring("loadLibrary.".length()) + " is not allowed in the sandbox";
            }
            switch (name) {
                case "trellis.sandbox.threadLimit":
                    return "starting more than " + SandboxSecurityManager.MAX_THREADS + " threads is not allowed in the sandbox";
                case "setIO":
                    return "replacing System.in/out/err is not allowed in the sandbox";
                case "readFileDescriptor":
                case "writeFileDescriptor":
                    return "using raw file descriptors is not allowed in the sandbox";
                case "createClassLoader":
                    return "creating a class loader is not allowed in the sandbox";
                case "setSecurityManager":
                case "createSecurityManager":
                    return "changing the security manager is not allowed in the sandbox";
                default:
                    return "the runtime permission '" + name + "' is not granted in the sandbox";
            }
        }
        if (permission instanceof ReflectPermission) {
            return "reflective access to non-public members (" + name + ") is not allowed in the sandbox";
        }
        if (permission instanceof LinkPermission) {
            return "creating " + name + " file links is not allowed in the sandbox";
        }
        if (permission instanceof PropertyPermission) {
            return "changing the system property " + name + " is not allowed in the sandbox";
        }
        String simpleName = permission.getClass().getSimpleName();
        return "the permission " + simpleName + " '" + name + "'" + (actions.isEmpty() ? "" : " (" + actions + ")")
                + " is not granted in the sandbox";
    }
}
