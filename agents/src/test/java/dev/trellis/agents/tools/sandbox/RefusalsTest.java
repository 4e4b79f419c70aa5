package dev.trellis.agents.tools.sandbox;

import org.junit.jupiter.api.Test;

import java.io.FilePermission;
import java.lang.reflect.ReflectPermission;
import java.net.SocketPermission;
import java.util.List;
import java.util.PropertyPermission;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalsTest {

    private final Refusals refusals = new Refusals("/scratch", List.of("/jdk", "/sandbox/classes"));

    @Test
    void namesWhatWasRefusedInWords() {
        assertThat(refusals.describe(new FilePermission("/etc/passwd", "read")))
                .isEqualTo("reading /etc/passwd is outside the sandbox directory /scratch");
        assertThat(refusals.describe(new FilePermission("/tmp/x", "write")))
                .isEqualTo("writing /tmp/x is outside the sandbox directory /scratch");
        assertThat(refusals.describe(new FilePermission("/tmp/x", "delete")))
                .isEqualTo("deleting /tmp/x is outside the sandbox directory /scratch");
        assertThat(refusals.describe(new FilePermission("/bin/sh", "execute")))
                .isEqualTo("starting a process (/bin/sh) is not allowed in the sandbox");
        assertThat(refusals.describe(new FilePermission("<<ALL FILES>>", "execute")))
                .isEqualTo("starting a process is not allowed in the sandbox");
        assertThat(refusals.describe(new SocketPermission("example.com:443", "connect,resolve")))
                .isEqualTo("connecting to example.com:443 is not allowed: the sandbox has no network access");
        assertThat(refusals.describe(new SocketPermission("localhost:0", "listen,resolve")))
                .startsWith("listening on or accepting network connections (localhost:0)");
        assertThat(refusals.describe(new SocketPermission("example.com", "resolve")))
                .isEqualTo("resolving host name example.com is not allowed: the sandbox has no network access");
        assertThat(refusals.describe(new RuntimePermission("exitVM.7")))
                .startsWith("System.exit(7) is not allowed in the sandbox");
        assertThat(refusals.describe(new RuntimePermission("getenv.OPENAI_API_KEY")))
                .isEqualTo("reading the environment variable OPENAI_API_KEY is not allowed in the sandbox");
        assertThat(refusals.describe(new ReflectPermission("suppressAccessChecks")))
                .startsWith("reflective access to non-public members");
        assertThat(refusals.describe(new PropertyPermission("user.dir", "write")))
                .isEqualTo("changing the system property user.dir is not allowed in the sandbox");
        assertThat(refusals.describe(SandboxSecurityManager.THREAD_LIMIT))
                .isEqualTo("starting more than 64 threads is not allowed in the sandbox");
        assertThat(refusals.describe(new java.security.SecurityPermission("setPolicy")))
                .isEqualTo("the permission SecurityPermission 'setPolicy' is not granted in the sandbox");
    }

    @Test
    void recordsOncePerRefusalAndSkipsTheRuntimesOwnProbes() {
        refusals.record(new FilePermission("/etc/passwd", "read"));
        refusals.record(new FilePermission("/etc/passwd", "read"));
        refusals.record(new FilePermission("/jdk/lib/tzdb.dat", "read"));
        refusals.record(new FilePermission("/sandbox/classes/META-INF/services/x", "read"));
        refusals.record(new FilePermission("/sandbox/classes-not-really/x", "read"));
        assertThat(refusals.drain()).containsExactly(
                "reading /etc/passwd is outside the sandbox directory /scratch",
                "reading /sandbox/classes-not-really/x is outside the sandbox directory /scratch");
        assertThat(refusals.drain()).isEmpty();
    }

    @Test
    void keepsAtMostEightRefusals() {
        for (int i = 0; i < 20; i++) {
            refusals.record(new FilePermission("/f" + i, "read"));
        }
        assertThat(refusals.drain()).hasSize(8);
    }
}
