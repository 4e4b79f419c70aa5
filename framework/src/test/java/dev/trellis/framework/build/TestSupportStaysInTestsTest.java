package dev.trellis.framework.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripted models and the OpenAI-compatible test server live in {@code trellis-testing}: every
 * module depends on it with test scope only, and no main Java source refers to its package.
 */
class TestSupportStaysInTestsTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> MODULES = List.of("framework", "retrieval", "agents", "finetune", "samples");

    @Test
    void noModuleDependsOnTrellisTestingOutsideTests() throws IOException {
        Pattern dependency = Pattern.compile("<dependency>(?:(?!</dependency>).)*<artifactId>trellis-testing</artifactId>"
                + "(?:(?!</dependency>).)*</dependency>", Pattern.DOTALL);
        for (String module : MODULES) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            Matcher m = dependency.matcher(pom);
            while (m.find()) {
                assertThat(m.group()).as(module + "/pom.xml: trellis-testing").contains("<scope>test</scope>");
            }
        }
    }

    @Test
    void noMainSourceUsesTheTestingPackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String module : MODULES) {
            Path main = ROOT.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(main)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(main)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (Files.readString(file).contains("dev.trellis.testing")) {
                        offenders.add(ROOT.relativize(file).toString());
                    }
                }
            }
        }
        assertThat(offenders).as("main files that refer to dev.trellis.testing").isEmpty();
    }
}
