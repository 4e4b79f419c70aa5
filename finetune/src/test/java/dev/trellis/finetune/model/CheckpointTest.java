package dev.trellis.finetune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.model.safetensors.DType;
import dev.trellis.finetune.model.safetensors.SafetensorsReader;
import dev.trellis.finetune.model.safetensors.SafetensorsWriter;
import dev.trellis.finetune.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving and loading Hugging Face checkpoint directories. */
class CheckpointTest {

    @TempDir
    Path tmp;
    private NDManager manager;
    private NDArray ids;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
        ids = manager.create(new long[] {3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3}, new Shape(2, 6));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** The parameter names and shapes transformers gives each tiny model (2 layers, hidden 32). */
    static Stream<Arguments> expectedNames() {
        Map<String, long[]> neox = new LinkedHashMap<>();
        neox.put("gpt_neox.embed_in.weight", new long[] {61, 32});
        neox.put("gpt_neox.final_layer_norm.weight", new long[] {32});
        neox.put("gpt_neox.final_layer_norm.bias", new long[] {32});
        neox.put("embed_out.weight", new long[] {61, 32});
        Map<String, long[]> gpt2 = new LinkedHashMap<>();
        gpt2.put("transformer.wte.weight", new long[] {61, 32});
        gpt2.put("transformer.wpe.weight", new long[] {64, 32});
        gpt2.put("transformer.ln_f.weight", new long[] {32});
        gpt2.put("transformer.ln_f.bias", new long[] {32});
        Map<String, long[]> llama = new LinkedHashMap<>();
        llama.put("model.embed_tokens.weight", new long[] {61, 32});
        llama.put("model.norm.weight", new long[] {32});
        llama.put("lm_head.weight", new long[] {61, 32});
        Map<String, long[]> qwen = new LinkedHashMap<>();
        qwen.put("model.embed_tokens.weight", new long[] {61, 32});
        qwen.put("model.norm.weight", new long[] {32});
        for (int l = 0; l < 2; l++) {
            String p = "gpt_neox.layers." + l + ".";
            for (String n : new String[] {"input_layernorm", "post_attention_layernorm"}) {
                neox.put(p + n + ".weight", new long[] {32});
                neox.put(p + n + ".bias", new long[] {32});
            }
            neox.put(p + "attention.query_key_value.weight", new long[] {96, 32});
            neox.put(p + "attention.query_key_value.bias", new long[] {96});
            neox.put(p + "attention.dense.weight", new long[] {32, 32});
            neox.put(p + "attention.dense.bias", new long[] {32});
            neox.put(p + "mlp.dense_h_to_4h.weight", new long[] {64, 32});
            neox.put(p + "mlp.dense_h_to_4h.bias", new long[] {64});
            neox.put(p + "mlp.dense_4h_to_h.weight", new long[] {32, 64});
            neox.put(p + "mlp.dense_4h_to_h.bias", new long[] {32});
            p = "transformer.h." + l + ".";
            for (String n : new String[] {"ln_1", "ln_2"}) {
                gpt2.put(p + n + ".weight", new long[] {32});
                gpt2.put(p + n + ".bias", new long[] {32});
            }
            gpt2.put(p + "attn.c_attn.weight", new long[] {32, 96});
            gpt2.put(p + "attn.c_attn.bias", new long[] {96});
            gpt2.put(p + "attn.c_proj.weight", new long[] {32, 32});
            gpt2.put(p + "attn.c_proj.bias", new long[] {32});
            gpt2.put(p + "mlp.c_fc.weight", new long[] {32, 64});
            gpt2.put(p + "mlp.c_fc.bias", new long[] {64});
            gpt2.put(p + "mlp.c_proj.weight", new long[] {64, 32});
            gpt2.put(p + "mlp.c_proj.bias", new long[] {32});
            for (Map<String, long[]> m : java.util.List.of(llama, qwen)) {
                p = "model.layers." + l + ".";
                m.put(p + "self_attn.q_proj.weight", new long[] {32, 32});
                m.put(p + "self_attn.k_proj.weight", new long[] {16, 32});
                m.put(p + "self_attn.v_proj.weight", new long[] {16, 32});
                m.put(p + "self_attn.o_proj.weight", new long[] {32, 32});
                m.put(p + "mlp.gate_proj.weight", new long[] {48, 32});
                m.put(p + "mlp.up_proj.weight", new long[] {48, 32});
                m.put(p + "mlp.down_proj.weight", new long[] {32, 48});
                m.put(p + "input_layernorm.weight", new long[] {32});
                m.put(p + "post_attention_layernorm.weight", new long[] {32});
            }
            qwen.put(p + "self_attn.q_proj.bias", new long[] {32});
            qwen.put(p + "self_attn.k_proj.bias", new long[] {16});
            qwen.put(p + "self_attn.v_proj.bias", new long[] {16});
        }
        return Stream.of(
                Arguments.of(TinyModels.gptNeoX(), neox, "GPTNeoXForCausalLM"),
                Arguments.of(TinyModels.gpt2(), gpt2, "GPT2LMHeadModel"),
                Arguments.of(TinyModels.llama(), llama, "LlamaForCausalLM"),
                Arguments.of(TinyModels.qwen2(), qwen, "Qwen2ForCausalLM"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("expectedNames")
    void saveThenLoadGivesIdenticalLogitsAndHuggingFaceNames(Map<String, Object> config, Map<String, long[]> expected,
                                                             String architecture) throws IOException {
        Path dir = tmp.resolve(architecture);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(config), 11, Device.cpu())) {
            float[] before = model.forward(ids).toFloatArray();
            model.save(dir);
            try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
                assertThat(r.metadata()).containsEntry("format", "pt");
                Map<String, String> actual = new TreeMap<>(r.tensors().values().stream()
                        .collect(Collectors.toMap(TensorInfo::name, t -> Arrays.toString(t.shape()))));
                Map<String, String> want = new TreeMap<>(expected.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> Arrays.toString(e.getValue()))));
                assertThat(actual).isEqualTo(want);
                assertThat(r.tensors().values()).allMatch(t -> t.dtype() == DType.F32);
            }
            JsonNode cfg = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            assertThat(cfg.get("architectures").get(0).asText()).isEqualTo(architecture);
            assertThat(cfg.get("model_type").asText()).isEqualTo(config.get("model_type"));
            assertThat(cfg.get("torch_dtype").asText()).isEqualTo("float32");
            assertThat(cfg.get("vocab_size").asInt()).isEqualTo(61);
            assertThat(dir.resolve("generation_config.json")).exists();
            try (CausalLM loaded = CausalLM.load(dir, Device.cpu())) {
                assertThat(loaded.config()).isEqualTo(model.config());
                assertThat(loaded.forward(ids).toFloatArray()).containsExactly(before);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "generation_config.json");
        }
    }

    @Test
    void shardedCheckpointLoadsAndResavingAsOneFileRemovesTheShards() throws IOException {
        Path dir = tmp.resolve("sharded");
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(TinyModels.llama()), 3, Device.cpu())) {
            float[] before = model.forward(ids).toFloatArray();
            model.save(dir, 20_000);
            assertThat(dir.resolve("model.safetensors.index.json")).exists();
            assertThat(dir.resolve("model.safetensors")).doesNotExist();
            JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
            assertThat(index.get("weight_map").size()).isEqualTo(model.parameters().size());
            assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(model.memoryFootprint());
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")))
                        .hasSizeGreaterThan(2);
            }
            try (CausalLM loaded = CausalLM.load(dir, Device.cpu())) {
                assertThat(loaded.forward(ids).toFloatArray()).containsExactly(before);
                loaded.save(dir);
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("config.json", "model.safetensors", "generation_config.json");
            }
        }
    }

    @Test
    void bf16AndF16CheckpointsAreWidenedWhileLoading() throws IOException {
        Path dir = tmp.resolve("f32");
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(TinyModels.gptNeoX()), 5, Device.cpu())) {
            model.save(dir);
            for (DType half : new DType[] {DType.BF16, DType.F16}) {
                Path halfDir = tmp.resolve(half.name());
                Files.createDirectories(halfDir);
                Files.copy(dir.resolve("config.json"), halfDir.resolve("config.json"));
                SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
                Map<String, float[]> rounded = new LinkedHashMap<>();
                for (Parameter p : model.parameters()) {
                    float[] v = p.array().toFloatArray();
                    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                    float[] r = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        short bits = half == DType.BF16 ? toBf16(v[i]) : toF16(v[i]);
                        b.putShort(bits);
                        r[i] = half == DType.BF16 ? Float.intBitsToFloat((bits & 0xffff) << 16) : v[i];
                    }
                    b.flip();
                    rounded.put(p.name(), r);
                    w.add(p.name(), half, p.array().getShape().getShape(), () -> b.duplicate());
                }
                w.write(halfDir.resolve("model.safetensors"));
                try (CausalLM loaded = CausalLM.load(halfDir, Device.cpu())) {
                    for (Parameter p : loaded.parameters()) {
                        float[] got = p.array().toFloatArray();
                        if (half == DType.BF16) {
                            assertThat(got).as(p.name()).containsExactly(rounded.get(p.name()));
                        } else {
                            float[] want = rounded.get(p.name());
                            for (int i = 0; i < got.length; i++) {
                                assertThat(Math.abs(got[i] - want[i])).isLessThanOrEqualTo(Math.abs(want[i]) * 1e-3f + 6.2e-5f); // the converter above flushes subnormals
                            }
                        }
                    }
                    float[] a = model.forward(ids).toFloatArray();
                    float[] b = loaded.forward(ids).toFloatArray();
                    for (int i = 0; i < a.length; i++) {
                        assertThat(Math.abs(a[i] - b[i])).isLessThan(0.05f);
                    }
                }
            }
        }
    }

    @Test
    void mismatchedWeightsAreRefusedWithTheTensorName() throws IOException {
        Path dir = tmp.resolve("mismatch");
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 5, Device.cpu())) {
            model.save(dir);
        }
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"n_inner\" : 64", "\"n_inner\" : 80");
        Files.writeString(dir.resolve("config.json"), cfg);
        assertThatThrownBy(() -> CausalLM.load(dir, Device.cpu()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("transformer.h.0.mlp.c_fc.weight")
                .hasMessageContaining("[32, 64]")
                .hasMessageContaining("[32, 80]");
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"gpt2\"", "\"bloom\""));
        assertThatThrownBy(() -> CausalLM.load(dir, Device.cpu()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("model_type 'bloom' is not supported");
        assertThatThrownBy(() -> CausalLM.load(tmp.resolve("nothing-here"), Device.cpu()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void countsAndFlopsFollowTransformers() {
        try (CausalLM neox = CausalLM.create(ModelConfig.fromMap(TinyModels.gptNeoX()), 1, Device.cpu());
             CausalLM qwen = CausalLM.create(ModelConfig.fromMap(TinyModels.qwen2()), 1, Device.cpu())) {
            long perLayer = 4 * 32 + (96 * 32 + 96) + (32 * 32 + 32) + (64 * 32 + 64) + (32 * 64 + 32);
            long nonEmbedding = 2 * perLayer + 2 * 32 + 61 * 32; // + final norm + untied embed_out
            assertThat(neox.numNonEmbeddingParameters()).isEqualTo(nonEmbedding);
            assertThat(neox.numParameters()).isEqualTo(nonEmbedding + 61 * 32);
            assertThat(neox.memoryFootprint()).isEqualTo(4 * neox.numParameters());
            assertThat(neox.floatingPointOps(128)).isEqualTo(6L * 128 * nonEmbedding);
            assertThat(neox.trainingFlopsPerToken(128)).isEqualTo(6.0 * nonEmbedding + 12.0 * 2 * 128 * 32);
            // Tied: the head is the embedding, listed once and counted as embedding.
            assertThat(qwen.parameters()).noneMatch(p -> p.name().equals("lm_head.weight"));
            assertThat(qwen.numParameters() - qwen.numNonEmbeddingParameters()).isEqualTo(61 * 32);
            assertThat(qwen.parameter("model.layers.0.self_attn.q_proj.bias").decay()).isFalse();
            assertThat(qwen.parameter("model.norm.weight").decay()).isFalse();
            assertThat(qwen.parameter("model.layers.1.mlp.up_proj.weight").decay()).isTrue();
        }
    }

    @Test
    void sameSeedGivesSameWeights() {
        try (CausalLM a = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 9, Device.cpu());
             CausalLM b = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 9, Device.cpu());
             CausalLM c = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 10, Device.cpu())) {
            assertThat(a.forward(ids).toFloatArray()).containsExactly(b.forward(ids).toFloatArray());
            assertThat(a.forward(ids).toFloatArray()).isNotEqualTo(c.forward(ids).toFloatArray());
        }
    }

    @Test
    void hubStyleGpt2WithoutPrefixAndWithMaskBuffersLoads() throws IOException {
        Path dir = tmp.resolve("hub-gpt2");
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(TinyModels.gpt2()), 8, Device.cpu())) {
            model.save(dir);
            // The hub's gpt2 was saved from GPT2Model: no "transformer." prefix, plus causal-mask buffers.
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (Parameter p : model.parameters()) {
                w.addFloats(p.name().replaceFirst("^transformer\\.", ""), p.array().getShape().getShape(),
                        p.array().toFloatArray());
            }
            for (int l = 0; l < 2; l++) {
                w.add("h." + l + ".attn.bias", DType.BOOL, new long[] {1, 1, 64, 64},
                        () -> ByteBuffer.allocate(64 * 64));
            }
            w.write(dir.resolve("model.safetensors"));
            try (CausalLM loaded = CausalLM.load(dir, Device.cpu())) {
                assertThat(loaded.forward(ids).toFloatArray()).containsExactly(model.forward(ids).toFloatArray());
            }
        }
    }

    private static short toBf16(float f) {
        int bits = Float.floatToIntBits(f);
        int rounding = 0x7fff + ((bits >>> 16) & 1); // round to nearest even
        return (short) ((bits + rounding) >>> 16);
    }

    /** float to binary16 for normal-range values (the tiny model's weights are all in range). */
    private static short toF16(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = (bits >>> 13) & 0x3ff;
        if (exp <= 0) {
            return (short) sign; // flush tiny values to zero
        }
        return (short) (sign | (exp << 10) | mant);
    }

    @Test
    void float16CheckpointsHalveTheBytesAndLoadWithinHalfPrecision(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.util.Map<String, Object> cfg = java.util.Map.of("model_type", "llama", "vocab_size", 64, "hidden_size", 32,
                "intermediate_size", 48, "num_hidden_layers", 1, "num_attention_heads", 4, "tie_word_embeddings", true);
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(cfg), 3)) {
            model.save(tmp.resolve("f32"));
            model.saveFloat16(tmp.resolve("f16"));
            org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.size(tmp.resolve("f16/model.safetensors")) * 2)
                    .isCloseTo(java.nio.file.Files.size(tmp.resolve("f32/model.safetensors")), org.assertj.core.data.Offset.offset(4096L));
            org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.readString(tmp.resolve("f16/config.json")))
                    .contains("\"torch_dtype\" : \"float16\"");
            try (CausalLM half = CausalLM.load(tmp.resolve("f16"))) {
                for (dev.trellis.finetune.model.Parameter p : model.parameters()) {
                    float[] a = p.array().toFloatArray();
                    float[] b = half.parameters().stream().filter(q -> q.name().equals(p.name())).findFirst().orElseThrow()
                            .array().toFloatArray();
                    for (int i = 0; i < a.length; i++) {
                        org.assertj.core.api.Assertions.assertThat((double) b[i]).as(p.name())
                                .isCloseTo(a[i], org.assertj.core.data.Offset.offset(Math.abs(a[i]) / 2048.0 + 1e-7));
                    }
                }
            }
        }
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(1f)).isEqualTo((short) 0x3c00);
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(65504f)).isEqualTo((short) 0x7bff);
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(1e6f)).isEqualTo((short) 0x7c00);
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(-2f)).isEqualTo((short) 0xc000);
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(5.9604645e-8f)).isEqualTo((short) 0x0001);
        org.assertj.core.api.Assertions.assertThat(Checkpoints.floatToHalf(1f + 1f / 2048)).as("a tie rounds to even").isEqualTo((short) 0x3c00);
    }
}
