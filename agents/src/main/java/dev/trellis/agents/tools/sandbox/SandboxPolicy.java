package dev.trellis.agents.tools.sandbox;

import java.io.File;
import java.io.FilePermission;
import java.security.AllPermission;
import java.security.CodeSource;
import java.security.Permission;
import java.security.PermissionCollection;
import java.security.Permissions;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.util.PropertyPermission;

/**
 * The sandbox JVM's policy: code loaded by the {@link SnippetLoaderDelegate.SnippetClassLoader}
 * (snippets and the user's extra classpath) may read, write and delete inside the scratch directory,
 * read system properties and manage its own threads; nothing else. All other code (the JDK, JShell,
 * the sandbox itself) is trusted. Because the security manager intersects the permissions of every
 * frame on the stack, a refused action stays refused when a snippet calls it through JDK or library code.
 */
final class SandboxPolicy extends Policy {

    private final Permissions snippetPermissions = new Permissions();

    SandboxPolicy(String scratchDirectory) {
        snippetPermissions.add(new FilePermission(scratchDirectory, "read"));
        snippetPermissions.add(new FilePermission(scratchDirectory + File.separator + "-", "read,write,delete"));
        snippetPermissions.add(new PropertyPermission("*", "read"));
        snippetPermissions.add(new RuntimePermission("accessDeclaredMembers"));
        // ThreadPoolExecutor.shutdown() asks for it; it does not reach threads outside the snippet's
        // group beyond what any code may do (interrupt), and stopping threads needs "stopThread".
        snippetPermissions.add(new RuntimePermission("modifyThread"));
        snippetPermissions.setReadOnly();
    }

    static boolean isUntrusted(ProtectionDomain domain) {
        return domain != null && domain.getClassLoader() instanceof SnippetLoaderDelegate.SnippetClassLoader;
    }

    @Override
    public boolean implies(ProtectionDomain domain, Permission permission) {
        return isUntrusted(domain) ? snippetPermissions.implies(permission) : true;
    }

    @Override
    public PermissionCollection getPermissions(ProtectionDomain domain) {
        return isUntrusted(domain) ? copyOfSnippetPermissions() : allPermissions();
    }

    @Override
    public PermissionCollection getPermissions(CodeSource codesource) {
        return new Permissions(); // decided per domain above, never per code source alone
    }

    private PermissionCollection copyOfSnippetPermissions() {
        Permissions copy = new Permissions();
        snippetPermissions.elements().asIterator().forEachRemaining(copy::add);
        return copy;
    }

    private static PermissionCollection allPermissions() {
        Permissions all = new Permissions();
        all.add(new AllPermission());
        return all;
    }
}
