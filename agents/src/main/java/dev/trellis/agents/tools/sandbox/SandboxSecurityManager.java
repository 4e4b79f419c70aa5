package dev.trellis.agents.tools.sandbox;

import java.security.Permission;

/**
 * The standard access-controller check, plus a record of each refusal so the host can report what
 * was refused even when the snippet swallowed the {@link SecurityException}.
 */
final class SandboxSecurityManager extends SecurityManager {

    /** Live threads a snippet's thread group may hold; each costs native stack memory outside the heap limit. */
    static final int MAX_THREADS = 64;
    /** Asked for only past the thread limit: trusted code holds every permission, snippets do not hold this one. */
    static final RuntimePermission THREAD_LIMIT = new RuntimePermission("trellis.sandbox.threadLimit");

    private final Refusals refusals;

    SandboxSecurityManager(Refusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void checkPermission(Permission permission) {
        try {
            super.checkPermission(permission);
        } catch (SecurityException refused) {
            refusals.record(permission);
            throw refused;
        }
    }

    /** Called by every Thread constructor with the group the new thread joins. */
    @Override
    public void checkAccess(ThreadGroup group) {
        super.checkAccess(group);
        if (group.activeCount() >= MAX_THREADS) {
            checkPermission(THREAD_LIMIT);
        }
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        try {
            super.checkPermission(permission, context);
        } catch (SecurityException refused) {
            refusals.record(permission);
            throw refused;
        }
    }
}
