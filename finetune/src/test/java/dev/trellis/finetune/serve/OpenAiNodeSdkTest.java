package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The official OpenAI Node SDK (npm {@code openai}) against the server: a chat and a stream.
 * Needs {@code node} on the PATH and {@value #DIR_VARIABLE} naming a folder holding
 * {@code node_modules/openai}; {@code .ci/run} installs both, so CI always runs this test.
 */
class OpenAiNodeSdkTest {

    static final String DIR_VARIABLE = "TRELLIS_NODE_OPENAI_DIR";

    @Test
    void nodeSdkChatsAndStreams(@TempDir Path scratch) throws Exception {
        String dir = System.getenv(DIR_VARIABLE);
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir, "node_modules", "openai")),
                "Skipped: " + DIR_VARIABLE + " is not set to a folder with node_modules/openai"
                        + " (run `npm install openai` in a scratch folder and export its path; .ci/run does this)");
        assumeTrue(onPath("node"), "Skipped: `node` is not on the PATH (.ci/run installs it)");

        Path script = scratch.resolve("openai-node-client.mjs");
        try (InputStream in = getClass().getResourceAsStream("openai-node-client.mjs")) {
            Files.copy(in, script);
        }
        try (ModelServer server = ModelServer.builder().chatModel(new EchoModel()).modelId("echo").port(0).build().start()) {
            ProcessBuilder builder = new ProcessBuilder("node", script.toString(), server.baseUrl(), "echo")
                    .redirectErrorStream(true);
            builder.environment().put("OPENAI_NODE_DIR", Path.of(dir).toAbsolutePath().toString());
            Process node = builder.start();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).as(output).isZero();

            String lastLine = output.strip().lines().reduce((a, b) -> b).orElseThrow();
            JsonNode result = new ObjectMapper().readTree(lastLine);
            assertThat(result.get("chat").asText()).isEqualTo("Echo: hello from node");
            assertThat(result.at("/chatUsage/completion_tokens").asInt()).isEqualTo(4);
            assertThat(result.get("pieces").size()).isGreaterThan(2);
            StringBuilder streamed = new StringBuilder();
            result.get("pieces").forEach(p -> streamed.append(p.asText()));
            assertThat(streamed.toString()).isEqualTo("Echo: stream this please");
            assertThat(result.at("/streamUsage/completion_tokens").asInt()).isEqualTo(4);
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }
}
