package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.framework.io.AtomicFiles;
import dev.trellis.finetune.model.safetensors.DType;
import dev.trellis.finetune.model.safetensors.SafetensorsReader;
import dev.trellis.finetune.model.safetensors.SafetensorsWriter;
import dev.trellis.finetune.model.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reading and writing Hugging Face checkpoint directories (config.json + safetensors, single or sharded). */
final class Checkpoints {

    static final String CONFIG = "config.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    static final long DEFAULT_MAX_SHARD_BYTES = 5L * 1000 * 1000 * 1000;
    private static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    /** Buffers older transformers versions saved; they are recomputed, never trained. */
    private static final Pattern IGNORED = Pattern.compile(
            ".*(\\.attn\\.bias|\\.attn\\.masked_bias|\\.attention\\.bias|\\.attention\\.masked_bias|rotary_emb\\.inv_freq)");

    private Checkpoints() {
    }

    static CausalLM load(Path dir, Device device) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + " is not a directory; pass a Hugging Face checkpoint directory "
                    + "(config.json + model.safetensors)");
        }
        ObjectNode configJson = readObject(dir.resolve(CONFIG), true);
        ModelConfig config;
        try {
            config = ModelConfig.fromJson(configJson);
        } catch (CheckpointException e) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        ObjectNode generation = readObject(dir.resolve(GENERATION_CONFIG), false);
        List<SafetensorsReader> readers = openWeights(dir);
        try {
            Map<String, SafetensorsReader> where = new LinkedHashMap<>();
            for (SafetensorsReader r : readers) {
                r.tensors().keySet().forEach(name -> where.put(name, r));
            }
            Set<String> used = new HashSet<>();
            AbstractCausalLM.WeightSource source = new AbstractCausalLM.WeightSource() {
                /** One buffer that every half-precision tensor is read through before it is widened. */
                private ByteBuffer scratch;

                @Override
                public float[] values(String name, Parameter.Kind kind, long[] shape, double std) {
                    String stored = check(name, shape);
                    return where.get(stored).readFloats(stored);
                }

                @Override
                public NDArray array(NDManager m, String name, Parameter.Kind kind, long[] shape, double std) {
                    String stored = check(name, shape);
                    SafetensorsReader r = where.get(stored);
                    TensorInfo info = r.info(stored);
                    long rawBytes = info.end() - info.begin();
                    if (info.dtype() != DType.F32 && (scratch == null || scratch.capacity() < rawBytes)) {
                        scratch = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, Math.max(rawBytes, 64L << 20)));
                    }
                    // The float32 buffer becomes the array's memory (DJL wraps a direct buffer without copying), and
                    // half-precision bytes pass through one scratch buffer: no Java float[] and no copy per tensor.
                    return m.create(r.readFloat32(stored, scratch), new Shape(shape), DataType.FLOAT32);
                }

                /** The stored name of a tensor the model needs, after checking its shape and type. */
                private String check(String name, long[] shape) {
                    // Checkpoints saved from the base model (e.g. the hub's gpt2) lack the prefix, as transformers allows.
                    String stored = where.containsKey(name) ? name : withoutBasePrefix(name);
                    SafetensorsReader r = where.get(stored);
                    if (r == null) {
                        throw new CheckpointException("checkpoint " + dir + " has no tensor '" + name + "', which a "
                                + config.modelType() + " model with this config.json needs; the weights do not match the config");
                    }
                    TensorInfo info = r.info(stored);
                    if (!Arrays.equals(info.shape(), shape)) {
                        throw new CheckpointException("tensor '" + stored + "' in " + r.file() + " has shape "
                                + Arrays.toString(info.shape()) + " but config.json implies " + Arrays.toString(shape));
                    }
                    if (!info.dtype().isFloatingPoint()) {
                        throw new CheckpointException("tensor '" + stored + "' in " + r.file() + " is " + info.dtype()
                                + "; model weights must be F32, F16, BF16 or F64 (quantized checkpoints are not supported)");
                    }
                    used.add(stored);
                    return stored;
                }
            };
            AbstractCausalLM model = build(config, device, source);
            Set<String> unexpected = new TreeSet<>(where.keySet());
            unexpected.removeAll(used);
            unexpected.removeIf(n -> IGNORED.matcher(n).matches());
            if (config.tieWordEmbeddings()) { // transformers ignores a saved copy of a tied head
                unexpected.remove("lm_head.weight");
                unexpected.remove("embed_out.weight");
            }
            if (!unexpected.isEmpty()) {
                model.close();
                throw new CheckpointException("checkpoint " + dir + " holds tensors a " + config.modelType()
                        + " model does not have: " + unexpected.stream().limit(10).toList()
                        + (unexpected.size() > 10 ? " and " + (unexpected.size() - 10) + " more" : "")
                        + "; config.json does not describe these weights");
            }
            model.provenance(configJson, generation);
            return model;
        } finally {
            readers.forEach(SafetensorsReader::close);
        }
    }

    private static String withoutBasePrefix(String name) {
        for (String prefix : new String[] {"transformer.", "gpt_neox.", "model."}) {
            if (name.startsWith(prefix)) {
                return name.substring(prefix.length());
            }
        }
        return name;
    }

    static AbstractCausalLM build(ModelConfig config, Device device, AbstractCausalLM.WeightSource source) {
        return build(config, device, source, DataType.FLOAT32);
    }

    static AbstractCausalLM build(ModelConfig config, Device device, AbstractCausalLM.WeightSource source, DataType dataType) {
        if (config instanceof GptNeoX.Config c) {
            return new GptNeoX(c, device, source, dataType);
        }
        if (config instanceof Gpt2.Config c) {
            return new Gpt2(c, device, source, dataType);
        }
        return new Llama((Llama.Config) config, device, source, dataType);
    }

    private static List<SafetensorsReader> openWeights(Path dir) {
        Path single = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(single)) {
            return List.of(SafetensorsReader.open(single));
        }
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            JsonNode map = readObject(index, true).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new CheckpointException(index + " has no 'weight_map' object");
            }
            Set<String> files = new TreeSet<>();
            map.fields().forEachRemaining(e -> files.add(e.getValue().asText()));
            List<SafetensorsReader> readers = new ArrayList<>();
            try {
                for (String f : files) {
                    Path shard = dir.resolve(f).normalize();
                    if (!shard.startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
                        throw new CheckpointException(index + " names shard '" + f + "', which is not a file in " + dir);
                    }
                    readers.add(SafetensorsReader.open(shard));
                }
            } catch (RuntimeException e) {
                readers.forEach(SafetensorsReader::close);
                throw e;
            }
            // Each tensor must live in the shard the index says.
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                boolean found = readers.stream().anyMatch(r -> r.file().getFileName().toString().equals(e.getValue().asText())
                        && r.tensors().containsKey(e.getKey()));
                if (!found) {
                    readers.forEach(SafetensorsReader::close);
                    throw new CheckpointException(index + " maps '" + e.getKey() + "' to " + e.getValue().asText()
                            + ", which does not hold it; the index and shards are out of step");
                }
            }
            return readers;
        }
        if (Files.exists(dir.resolve("pytorch_model.bin"))) {
            throw new CheckpointException(dir + " holds pytorch_model.bin (a pickle) but no model.safetensors; convert it "
                    + "with transformers' save_pretrained(dir, safe_serialization=True)");
        }
        throw new CheckpointException(dir + " has no " + WEIGHTS + " nor " + INDEX + "; it is not a Hugging Face checkpoint");
    }

    static void save(AbstractCausalLM model, Path dir, long maxShardBytes, boolean float16) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive; got " + maxShardBytes);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create checkpoint directory " + dir, e);
        }
        // Split the parameters into shards of at most maxShardBytes (a larger tensor gets one of its own).
        List<List<Parameter>> shards = new ArrayList<>();
        List<Parameter> current = new ArrayList<>();
        long size = 0;
        for (Parameter p : model.parameters()) {
            long bytes = p.size() * (float16 ? 2 : 4);
            if (!current.isEmpty() && size + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(p);
            size += bytes;
        }
        shards.add(current);

        Set<String> written = new HashSet<>();
        ObjectNode weightMap = ModelConfig.JSON.createObjectNode();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String file = shards.size() == 1 ? WEIGHTS
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (Parameter p : shards.get(i)) {
                if (float16) {
                    writer.add(p.name(), DType.F16, p.array().getShape().getShape(),
                            () -> littleEndianHalf(AbstractCausalLM.floats(p.array())));
                } else {
                    writer.add(p.name(), DType.F32, p.array().getShape().getShape(),
                            () -> littleEndian(AbstractCausalLM.floats(p.array())));
                }
                weightMap.put(p.name(), file);
                total += p.size() * (float16 ? 2 : 4);
            }
            writer.write(dir.resolve(file));
            written.add(file);
        }
        if (shards.size() > 1) {
            ObjectNode index = ModelConfig.JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            index.set("weight_map", weightMap);
            AtomicFiles.writeString(dir.resolve(INDEX), index.toPrettyString());
        }
        removeStale(dir, written, shards.size() > 1);

        ObjectNode config = model.sourceConfigJson() == null ? ModelConfig.JSON.createObjectNode()
                : model.sourceConfigJson().deepCopy();
        config.setAll(model.config().toJson());
        config.remove("dtype");
        config.put("torch_dtype", float16 ? "float16" : "float32");
        AtomicFiles.writeString(dir.resolve(CONFIG), sorted(config).toPrettyString() + "\n");

        ObjectNode generation = model.generationConfigJson();
        if (generation == null) {
            generation = ModelConfig.JSON.createObjectNode();
            generation.put("_from_model_config", true);
            Json.putNullable(generation, "bos_token_id", model.config().bosTokenId());
            Json.putNullable(generation, "eos_token_id", model.config().eosTokenId());
        }
        AtomicFiles.writeString(dir.resolve(GENERATION_CONFIG), generation.toPrettyString() + "\n");
    }

    private static void removeStale(Path dir, Set<String> written, boolean sharded) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean staleShard = SHARD.matcher(name).matches() && !written.contains(name);
                boolean staleIndex = !sharded && name.equals(INDEX);
                boolean staleSingle = sharded && name.equals(WEIGHTS);
                if (staleShard || staleIndex || staleSingle) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove stale weights from " + dir, e);
        }
    }

    private static ObjectNode sorted(ObjectNode node) {
        ObjectNode out = ModelConfig.JSON.createObjectNode();
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        keys.forEach(k -> out.set(k, node.get(k)));
        return out;
    }

    private static ByteBuffer littleEndianHalf(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(floatToHalf(v));
        }
        return b.flip();
    }

    /** IEEE 754 binary16 bits of {@code f}, rounded to nearest even (overflow to infinity, subnormals kept). */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) { // infinity or NaN
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) { // subnormal half (or zero)
            if (e < -10) {
                return (short) sign;
            }
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >> shift;
            int rest = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the right rounding (up to infinity)
        }
        return (short) (sign | half);
    }

    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    private static ObjectNode readObject(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new CheckpointException(file + " does not exist; a Hugging Face checkpoint directory needs it");
            }
            return null;
        }
        try {
            JsonNode node = ModelConfig.JSON.readTree(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file + " must hold a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new CheckpointException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
