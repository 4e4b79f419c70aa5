package dev.trellis.framework.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BOM has no parent (so importing it brings no build settings), so nothing but this test keeps
 * it in step with the reactor: same version, same langchain4j, every library module listed, and
 * every jar module naming its Automatic-Module-Name.
 */
class BomConsistencyTest {

    private static final Path ROOT = Path.of("..");

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    private static String first(String regex, String text) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertThat(m.find()).as("pattern %s", regex).isTrue();
        return m.group(1);
    }

    @Test
    void theBomMatchesTheReactor() throws IOException {
        String parent = read("pom.xml");
        String bom = read("bom/pom.xml");
        assertThat(first("<artifactId>trellis-bom</artifactId>\\s*<version>([^<]+)</version>", bom))
                .isEqualTo(first("<artifactId>trellis-parent</artifactId>\\s*<version>([^<]+)</version>", parent));
        assertThat(first("<langchain4j.version>([^<]+)</langchain4j.version>", bom))
                .isEqualTo(first("<langchain4j.version>([^<]+)</langchain4j.version>", parent));

        // The plugins the BOM pins (it has no parent to inherit them from) are the reactor's versions.
        for (String plugin : List.of("maven-install-plugin", "maven-javadoc-plugin")) {
            String pinned = "<artifactId>" + plugin + "</artifactId>\\s*<version>([^<]+)</version>";
            assertThat(first(pinned, bom)).as(plugin).isEqualTo(first(pinned, parent));
        }

        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).contains("bom", "framework", "retrieval", "agents", "finetune", "samples");
        for (String module : modules) {
            // jlama-peer only gathers Jlama's jars for the bench's peer process: no parent on purpose (Jlama keeps
            // its own dependency versions), no jar, nothing for the BOM.
            if (module.equals("bom") || module.equals("jlama-peer")) {
                continue;
            }
            String pom = read(module + "/pom.xml");
            String artifact = first("</parent>\\s*<artifactId>([^<]+)</artifactId>", pom);
            assertThat(pom).as(module).contains("<trellis.module.name>dev.trellis." + module + "</trellis.module.name>");
            if (!module.equals("samples")) {
                assertThat(bom).as("BOM lists " + artifact).contains("<artifactId>" + artifact + "</artifactId>");
            }
        }
    }
}
