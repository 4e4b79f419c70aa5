package dev.trellis.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Jlama peer: how it lays a checkpoint out for Jlama, when it declines, and (where this machine has a
 * Java 21+ JDK and the build has put Jlama's jars beside the classes) a real run of Jlama on tiny random
 * llama and qwen2 checkpoints that Trellis saved.
 */
class JlamaPeerTest {

    @TempDir
    Path dir;

    /** Widths Jlama's kernels take: head size 64, multiples of the widest SIMD register and of Q4's 32-value blocks. */
    private static Path tinyCheckpoint(Path dir, String modelType) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", modelType);
        c.put("vocab_size", 320);
        c.put("hidden_size", 128);
        c.put("intermediate_size", 256);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 2);
        c.put("num_key_value_heads", 1);
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", 1e-6);
        c.put("max_position_embeddings", 256);
        c.put("tie_word_embeddings", true);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(c), 3, Device.cpu())) {
            model.save(dir);
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void jlamaDecodesTheCheckpointTrellisSaved(String modelType) {
        JlamaPeer peer = JlamaPeer.onThisMachine(null, Duration.ofSeconds(120));
        Optional<String> whyNot = peer.whyNot(modelType);
        Assumptions.assumeTrue(whyNot.isEmpty(), () -> "the Jlama peer cannot run here: " + whyNot.orElse(""));
        Path checkpoint = tinyCheckpoint(dir.resolve("checkpoint"), modelType);

        JlamaPeer.Outcome outcome = peer.measure(checkpoint, 16, 8, 1);

        assertThat(outcome).as(outcome.toString()).isInstanceOf(JlamaPeer.Measured.class);
        JlamaPeer.Measured m = (JlamaPeer.Measured) outcome;
        assertThat(m.peer()).matches("jlama-core \\S+ on Java \\d+");
        assertThat(m.fp32()).isPositive();
        assertThat(m.q4()).isPositive();
        assertThat(m.fp32Prefill()).isPositive();
        assertThat(m.q4Prefill()).isPositive();
        assertThat(m.q4Activations()).isIn("I8", "F32");
        // The checkpoint is the user's: the peer worked on links in its own folder and left this one alone.
        try (var files = Files.list(checkpoint)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .doesNotContain("tokenizer.json", "README.md");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFailingPeerIsReportedWithItsStderr() {
        JlamaPeer peer = JlamaPeer.onThisMachine(null, Duration.ofSeconds(120));
        Assumptions.assumeTrue(peer.whyNot("llama").isEmpty(), () -> "the Jlama peer cannot run here: " + peer.whyNot("llama"));
        Path checkpoint = tinyCheckpoint(dir.resolve("checkpoint"), "llama");

        // The prompt and steps overflow the 256-token context: JlamaDecode refuses, and says so on stderr.
        JlamaPeer.Outcome outcome = peer.measure(checkpoint, 200, 100, 1);

        assertThat(outcome).isInstanceOf(JlamaPeer.NotRun.class);
        JlamaPeer.NotRun notRun = (JlamaPeer.NotRun) outcome;
        assertThat(notRun.reason()).startsWith("Jlama failed (exit 1)");
        assertThat(notRun.stderrTail()).contains("do not fit the 256-token context");
    }

    @Test
    void aPeerPastItsTimeIsStoppedWithItsChildren() {
        JlamaPeer peer = JlamaPeer.onThisMachine(null, Duration.ofSeconds(1));
        Assumptions.assumeTrue(peer.whyNot("llama").isEmpty(), () -> "the Jlama peer cannot run here: " + peer.whyNot("llama"));
        Path checkpoint = tinyCheckpoint(dir.resolve("checkpoint"), "llama");

        JlamaPeer.Outcome outcome = peer.measure(checkpoint, 16, 8, 1);

        assertThat(outcome).isInstanceOf(JlamaPeer.NotRun.class);
        assertThat(((JlamaPeer.NotRun) outcome).reason()).isEqualTo("Jlama did not finish within 1 s (--peer-timeout); stopped it");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(JlamaPeer.PROGRAM))).isEmpty();
    }

    @Test
    void declinesWhatJlamaCannotRunAndSaysWhy() {
        Path noJars = dir.resolve("no-jars");
        JavaRuntimeFinder.Search none = new JavaRuntimeFinder.Search(Optional.empty(), "no Java 21+ runtime found (JAVA21_HOME unset)");
        JlamaPeer withoutJava = new JlamaPeer(none, noJars, Duration.ofSeconds(1));
        assertThat(withoutJava.whyNot("gpt_neox")).hasValueSatisfying(r -> assertThat(r).startsWith("Jlama does not run gpt_neox"));
        assertThat(withoutJava.whyNot("llama")).hasValueSatisfying(r -> assertThat(r)
                .contains("Jlama needs Java 21+", "JAVA21_HOME unset", "--peer-java"));

        JavaRuntimeFinder.JavaRuntime fake = new JavaRuntimeFinder.JavaRuntime(dir, 25, "25");
        JlamaPeer withoutJars = new JlamaPeer(new JavaRuntimeFinder.Search(Optional.of(fake), "test"), noJars, Duration.ofSeconds(1));
        assertThat(withoutJars.whyNot("qwen2")).hasValueSatisfying(r -> assertThat(r)
                .contains("Jlama's jars", noJars.toString(), "mvn -B -q -DskipTests package"));
    }

    @Test
    void laysACheckpointOutAsJlamaLoadsIt() throws IOException {
        Path source = tinyCheckpoint(dir.resolve("source"), "qwen2");
        // What a checkpoint from elsewhere may have: an eos list (Jlama's qwen2 takes one id), a null bos.
        JsonNode config = JlamaPeer.readConfig(source);
        ((com.fasterxml.jackson.databind.node.ObjectNode) config).putNull("bos_token_id");
        ((com.fasterxml.jackson.databind.node.ObjectNode) config).putArray("eos_token_id").add(7).add(8);
        Path view = dir.resolve("view");
        String sourceConfig = Files.readString(source.resolve("config.json"));

        JlamaPeer.layOut(source, config, view);

        assertThat(Files.isSymbolicLink(view.resolve("model.safetensors"))).isTrue();
        assertThat(Files.readSymbolicLink(view.resolve("model.safetensors"))).isEqualTo(source.resolve("model.safetensors").toAbsolutePath());
        JsonNode written = JlamaPeer.readConfig(view);
        assertThat(written.path("bos_token_id").asInt(-1)).isZero();
        assertThat(written.path("eos_token_id").isInt()).isTrue();
        assertThat(written.path("eos_token_id").asInt()).isEqualTo(7);
        assertThat(written.path("vocab_size").asInt()).isEqualTo(320);
        assertThat(view.resolve("tokenizer.json")).isRegularFile();
        assertThat(view.resolve("README.md")).isRegularFile();
        assertThat(source.resolve("config.json")).as("the source's own config is untouched").hasContent(sourceConfig);
        assertThat(source.resolve("tokenizer.json")).doesNotExist();
    }
}
