package dev.trellis.agents.tools.sandbox;

import java.security.Permission;

/**
 * The standard access-controller check, plus a record of each refusal so the host can report what
 * was refused even when the snippet swallowed the {@link SecurityException}.
 */
final class SandboxSecurityManager extends SecurityManager {

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
