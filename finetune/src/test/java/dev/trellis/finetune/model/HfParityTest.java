package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with Hugging Face transformers. The fixtures are made on a machine with PyTorch and
 * transformers by {@code make-hf-fixtures.py} (see the shared device notes) and committed under
 * {@code src/test/resources/hf-fixtures/<name>.zip}: the checkpoint as save_pretrained writes it
 * plus reference.json (input ids, float32 logits, a greedy continuation of 8 tokens). Without a
 * fixture the test is skipped, saying so.
 */
class HfParityTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt_neox", "gpt2", "llama", "qwen2"})
    void logitsAndGreedyContinuationMatchTransformers(String name) throws IOException {
        URL zip = getClass().getResource("/hf-fixtures/" + name + ".zip");
        Assumptions.assumeTrue(zip != null, "no fixture hf-fixtures/" + name + ".zip: run make-hf-fixtures.py on a "
                + "machine with transformers and commit its zips under finetune/src/test/resources/hf-fixtures");
        try (InputStream in = zip.openStream()) {
            checkFixture(in, name, tmp);
        }
    }

    /** The harness itself, on a fixture Trellis writes from its own model, so it is known to work. */
    @Test
    void harnessAcceptsAFixtureInTheScriptsLayout() throws IOException {
        Path made = tmp.resolve("made");
        Path zip = tmp.resolve("llama.zip");
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(TinyModels.llama()), 77, Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            model.save(made.resolve("llama"));
            long[][] ids = new long[2][16];
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 16; t++) {
                    ids[b][t] = (b * 31 + t * 7) % TinyModels.VOCAB;
                }
            }
            NDArray input = m.create(ids);
            float[] logits = model.forward(input).toFloatArray();
            List<Long> greedy = greedy(model, input.get("0:1"), 8);
            var json = new ObjectMapper().createObjectNode();
            json.set("input_ids", new ObjectMapper().valueToTree(ids));
            var l = json.putArray("logits");
            int v = TinyModels.VOCAB;
            for (int b = 0; b < 2; b++) {
                var row = l.addArray();
                for (int t = 0; t < 16; t++) {
                    var col = row.addArray();
                    for (int k = 0; k < v; k++) {
                        col.add(logits[(b * 16 + t) * v + k]);
                    }
                }
            }
            json.set("greedy_continuation", new ObjectMapper().valueToTree(greedy));
            Files.writeString(made.resolve("llama/reference.json"), json.toString());
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String f : new String[] {"config.json", "model.safetensors", "generation_config.json", "reference.json"}) {
                out.putNextEntry(new ZipEntry("llama/" + f));
                out.write(Files.readAllBytes(made.resolve("llama").resolve(f)));
                out.closeEntry();
            }
        }
        try (InputStream in = Files.newInputStream(zip)) {
            checkFixture(in, "llama", tmp.resolve("unzipped"));
        }
    }

    static void checkFixture(InputStream zip, String name, Path dir) throws IOException {
        unzip(zip, dir);
        Path ckpt = dir.resolve(name);
        JsonNode ref = new ObjectMapper().readTree(ckpt.resolve("reference.json").toFile());
        try (CausalLM model = CausalLM.load(ckpt, Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            JsonNode idsJson = ref.get("input_ids");
            int batch = idsJson.size();
            int steps = idsJson.get(0).size();
            long[] ids = new long[batch * steps];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    ids[b * steps + t] = idsJson.get(b).get(t).asLong();
                }
            }
            NDArray input = m.create(ids, new Shape(batch, steps));
            float[] logits = model.forward(input).toFloatArray();
            int vocab = model.config().vocabSize();
            double maxDiff = 0;
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    JsonNode row = ref.get("logits").get(b).get(t);
                    for (int v = 0; v < vocab; v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(logits[(b * steps + t) * vocab + v] - row.get(v).floatValue()));
                    }
                }
            }
            assertThat(maxDiff).as("max |logit difference| vs transformers for %s", name).isLessThan(1e-4);
            List<Long> expected = new ArrayList<>();
            ref.get("greedy_continuation").forEach(n -> expected.add(n.asLong()));
            assertThat(greedy(model, input.get("0:1"), expected.size())).isEqualTo(expected);
        }
    }

    /** Greedy decoding through the KV cache, as transformers' generate(do_sample=False) does. */
    static List<Long> greedy(CausalLM model, NDArray prompt, int tokens) {
        List<Long> out = new ArrayList<>();
        try (KvCache cache = model.newKvCache()) {
            NDArray next = prompt;
            for (int i = 0; i < tokens; i++) {
                try (NDScope ignored = new NDScope()) {
                    NDArray logits = model.forward(next, cache);
                    long id = logits.get("0, -1, :").argMax().getLong();
                    out.add(id);
                    next = prompt.getManager().create(new long[] {id}, new Shape(1, 1));
                    NDScope.unregister(next);
                }
            }
        }
        return out;
    }

    static void unzip(InputStream in, Path dir) throws IOException {
        try (ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("zip entry " + e.getName() + " escapes " + dir);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(z, target);
                }
            }
        }
    }
}
