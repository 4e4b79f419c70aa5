package dev.trellis.agents.tools.sandbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaRuntimesTest {

    @Test
    void readsFeatureVersions() {
        assertThat(JavaRuntimes.feature("17.0.15")).isEqualTo(17);
        assertThat(JavaRuntimes.feature("21")).isEqualTo(21);
        assertThat(JavaRuntimes.feature("24-ea")).isEqualTo(24);
        assertThat(JavaRuntimes.feature("1.8.0_402")).isEqualTo(8);
    }

    @Test
    void knowsTheCurrentRuntime() {
        assertThat(JavaRuntimes.featureVersion(JavaRuntimes.current())).isEqualTo(Runtime.version().feature());
    }

    @Test
    void rejectsAMissingBinary() {
        assertThatThrownBy(() -> JavaRuntimes.featureVersion(java.nio.file.Path.of("/no/such/jdk/bin/java")))
                .isInstanceOf(JavaSandboxException.class).hasMessageContaining("/no/such/jdk/bin/java");
    }
}
