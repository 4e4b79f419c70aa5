package dev.trellis.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.samples.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java 21+ search over fake JDK folders laid out as /usr/lib/jvm is: release files and bin/java. */
class JavaRuntimeFinderTest {

    private static final List<String> MODULES = List.of("jdk.compiler", "jdk.incubator.vector");
    private static final String ALL = "java.base jdk.compiler jdk.incubator.vector";

    @TempDir
    Path jvm;

    private Path jdk17;
    private Path jdk21;
    private Path jdk25;

    @BeforeEach
    void install() throws IOException {
        jdk17 = jdk("java-17-openjdk-amd64", "17.0.15", ALL);
        jdk21 = jdk("jdk-21.0.5", "21.0.5", ALL);
        jdk25 = jdk("temurin-25-jdk-amd64", "25.0.3", ALL);
        jdk("jre-26", "26-ea", "java.base jdk.incubator.vector"); // newest, but a JRE: no compiler for the source launcher
        Files.createDirectories(jvm.resolve("broken")); // no release file
        Files.createSymbolicLink(jvm.resolve("default-java"), jdk17);
    }

    private Path jdk(String name, String version, String modules) throws IOException {
        Path home = jvm.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\nMODULES=\"" + modules + "\"\n");
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        return home;
    }

    private JavaRuntimeFinder finder(Map<String, String> env, Path running) {
        return new JavaRuntimeFinder(21, MODULES, env, running, List.of(jvm, jvm.resolve("absent")));
    }

    @Test
    void scanPicksTheNewestUsableJdkAndSaysWhyOthersWereNot() {
        JavaRuntimeFinder.Search search = finder(Map.of(), jdk17).find(null, "--peer-java");

        assertThat(search.runtime()).hasValueSatisfying(r -> {
            assertThat(r.home()).isEqualTo(jdk25);
            assertThat(r.feature()).isEqualTo(25);
            assertThat(r.java()).isEqualTo(jdk25.resolve("bin/java"));
        });
    }

    @Test
    void environmentComesBeforeTheScanAndAnOldJavaHomeIsPassedOver() {
        assertThat(finder(Map.of("JAVA21_HOME", jdk21.toString(), "JAVA_HOME", jdk25.toString()), jdk17)
                .find(null, "--peer-java").runtime()).hasValueSatisfying(r -> assertThat(r.home()).isEqualTo(jdk21));
        assertThat(finder(Map.of("JAVA_HOME", jdk21.toString()), jdk17).find(null, "--peer-java").runtime())
                .hasValueSatisfying(r -> assertThat(r.home()).isEqualTo(jdk21));
        // JAVA_HOME on 17 (the build's own) does not qualify; the scan still finds 25.
        assertThat(finder(Map.of("JAVA_HOME", jdk17.toString()), jdk17).find(null, "--peer-java").runtime())
                .hasValueSatisfying(r -> assertThat(r.home()).isEqualTo(jdk25));
    }

    @Test
    void theRunningJvmServesWhenItIsNewEnough() {
        assertThat(finder(Map.of(), jdk21).find(null, "--peer-java").runtime())
                .hasValueSatisfying(r -> assertThat(r.home()).isEqualTo(jdk21));
    }

    @Test
    void anExplicitPathIsAHomeOrItsJavaAndMustQualify() {
        JavaRuntimeFinder finder = finder(Map.of(), jdk17);
        assertThat(finder.find(jdk21.resolve("bin/java"), "--peer-java").runtime())
                .hasValueSatisfying(r -> assertThat(r.home()).isEqualTo(jdk21));
        assertThat(finder.find(jdk21, "--peer-java").runtime()).hasValueSatisfying(r -> assertThat(r.feature()).isEqualTo(21));

        assertThatThrownBy(() -> finder.find(jdk17, "--peer-java")).isInstanceOf(UserError.class)
                .hasMessageContaining("--peer-java " + jdk17).hasMessageContaining("Java 17.0.15").hasMessageContaining("21+");
        assertThatThrownBy(() -> finder.find(jvm.resolve("jre-26"), "--peer-java")).isInstanceOf(UserError.class)
                .hasMessageContaining("without jdk.compiler");
        assertThatThrownBy(() -> finder.find(jvm.resolve("nowhere"), "--peer-java")).isInstanceOf(UserError.class)
                .hasMessageContaining("not a folder");
    }

    @Test
    void findingNothingSaysWhereItLooked() throws IOException {
        for (String name : List.of("jdk-21.0.5", "temurin-25-jdk-amd64")) {
            Files.writeString(jvm.resolve(name).resolve("release"), "JAVA_VERSION=\"11.0.2\"\n");
        }
        JavaRuntimeFinder.Search search = finder(Map.of("JAVA_HOME", jdk17.toString()), jdk17).find(null, "--peer-java");

        assertThat(search.runtime()).isEmpty();
        assertThat(search.why()).startsWith("no Java 21+ runtime found")
                .contains("JAVA21_HOME unset", "JAVA_HOME " + jdk17 + ": Java 17.0.15", "this JVM")
                .contains("temurin-25-jdk-amd64 (Java 11.0.2)", "jre-26 (Java 26-ea without jdk.compiler)", "broken (no release file)");
    }

    @Test
    void featureVersionsOfEveryScheme() {
        assertThat(JavaRuntimeFinder.feature("25.0.3")).isEqualTo(25);
        assertThat(JavaRuntimeFinder.feature("21")).isEqualTo(21);
        assertThat(JavaRuntimeFinder.feature("26-ea")).isEqualTo(26);
        assertThat(JavaRuntimeFinder.feature("1.8.0_402")).isEqualTo(8);
    }
}
