package dev.trellis.framework.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projects under {@code examples/} stay outside the reactor, build against this version of
 * Trellis through the BOM alone, and are shown in the README as they are; CI runs each of them.
 */
class ExamplesTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> EXAMPLES = List.of("chatbot-memory", "csv-qa", "tool-agent", "finetune-chat");
    private static final List<String> IN_README = List.of(
            "chatbot-memory/src/main/java/com/example/chatbot/Chatbot.java",
            "csv-qa/src/main/java/com/example/csvqa/CsvQa.java",
            "tool-agent/src/main/java/com/example/agent/Shop.java",
            "tool-agent/src/main/java/com/example/agent/ToolAgent.java",
            "finetune-chat/src/main/java/com/example/finetune/FinetuneChat.java");

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    @Test
    void examplesAreStandaloneProjectsOnTheBom() throws IOException {
        String parent = read("pom.xml");
        String version = first("<artifactId>trellis-parent</artifactId>\\s*<version>([^<]+)</version>", parent);
        assertThat(parent).doesNotContain("<module>examples");
        String aggregator = read("examples/pom.xml");
        String ci = read(".ci/run");
        for (String example : EXAMPLES) {
            String pom = read("examples/" + example + "/pom.xml");
            assertThat(pom).as(example).doesNotContain("<parent>");
            assertThat(first("<trellis.version>([^<]+)</trellis.version>", pom)).as(example + " Trellis version").isEqualTo(version);
            assertThat(pom).as(example).contains("<artifactId>trellis-bom</artifactId>");
            // Trellis artifacts come through the BOM: none carries a version of its own.
            Matcher trellis = Pattern.compile("<artifactId>(trellis-(?!bom)[a-z]+)</artifactId>\\s*<version>").matcher(pom);
            assertThat(trellis.find()).as(example + " pins a Trellis module's version").isFalse();
            assertThat(pom).as(example).doesNotContain("trellis-testing");
            assertThat(aggregator).contains("<module>" + example + "</module>");
            assertThat(ci).as(".ci/run runs " + example).contains(example);
        }
    }

    @Test
    void theReadmeShowsTheExamplesAsTheyAre() throws IOException {
        String readme = read("README.md");
        for (String file : IN_README) {
            assertThat(readme).as("README shows examples/" + file + " verbatim")
                    .contains("```java\n" + read("examples/" + file).stripTrailing() + "\n```");
        }
    }

    private static String first(String regex, String text) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertThat(m.find()).as("pattern %s", regex).isTrue();
        return m.group(1);
    }
}
