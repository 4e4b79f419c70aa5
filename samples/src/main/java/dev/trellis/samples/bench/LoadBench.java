package dev.trellis.samples.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.model.Parameter;
import dev.trellis.finetune.model.safetensors.DType;
import dev.trellis.finetune.model.safetensors.SafetensorsWriter;
import dev.trellis.samples.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis bench load --shape NAME}: writes a random-weight checkpoint of a published shape in
 * bfloat16, split into shards as the hub stores it, then loads it in a fresh JVM and reports the
 * load time and that process's peak resident memory against the model's float32 size.
 * Target for Qwen2.5-0.5B in two shards: under 15 s and under 2x the float32 size.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load time and peak memory of a bf16 sharded checkpoint of a published shape, in a fresh JVM.")
public final class LoadBench implements Runnable {

    @Option(names = "--shape", paramLabel = "NAME", defaultValue = "Qwen2.5-0.5B",
            description = "pythia-70m, SmolLM2-135M, pythia-160m or Qwen2.5-0.5B (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--shards", defaultValue = "2", description = "Safetensors shards to write (default: ${DEFAULT-VALUE}).")
    int shards;

    @Override
    public void run() {
        if (shards < 1) {
            throw new UserError("--shards " + shards + ": give 1 or more");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("trellis-bench-load");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long bytes = write(dir);
            System.out.printf(Locale.ROOT, "trellis bench load %s: wrote %.0f MB of bf16 weights in %d shard(s); loading "
                    + "in a fresh JVM%n", PublishedShapes.canonical(shape), bytes / 1e6, shards);
            JsonNode probe = probe(dir);
            double seconds = probe.get("load_seconds").asDouble();
            long peak = probe.get("peak_rss_bytes").asLong();
            long fp32 = probe.get("fp32_bytes").asLong();
            double ratio = (double) peak / fp32;
            System.out.printf(Locale.ROOT, "load %.1f s (target < 15 s): %s; peak resident memory %.0f MB = %.2fx the "
                            + "float32 size %.0f MB (target < 2x): %s%n", seconds, seconds < 15 ? "PASS" : "FAIL",
                    peak / 1e6, ratio, fp32 / 1e6, ratio < 2 ? "PASS" : "FAIL");
            System.out.printf(Locale.ROOT, "{\"bench\":\"load\",\"model\":\"%s\",\"dtype\":\"bf16\",\"shards\":%d,"
                            + "\"load_seconds\":%.3f,\"peak_rss_bytes\":%d,\"fp32_bytes\":%d,\"peak_to_fp32\":%.3f}%n",
                    PublishedShapes.canonical(shape), shards, seconds, peak, fp32, ratio);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    /** Random weights of the shape, saved as bf16 shards with an index, as transformers lays them out. */
    private long write(Path dir) {
        ObjectNode index = new ObjectMapper().createObjectNode();
        ObjectNode weightMap = index.putObject("weight_map");
        long total = 0;
        try (CausalLM model = CausalLM.create(ModelConfig.fromMap(PublishedShapes.config(shape)), 1, Device.cpu())) {
            List<Parameter> params = model.parameters();
            long all = params.stream().mapToLong(Parameter::size).sum();
            List<List<Parameter>> groups = new ArrayList<>();
            long size = 0;
            for (Parameter p : params) {
                if (groups.isEmpty() || size >= (groups.size()) * all / shards && groups.size() < shards) {
                    groups.add(new ArrayList<>());
                }
                groups.get(groups.size() - 1).add(p);
                size += p.size();
            }
            for (int i = 0; i < groups.size(); i++) {
                String file = groups.size() == 1 ? "model.safetensors"
                        : String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
                SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
                for (Parameter p : groups.get(i)) {
                    writer.add(p.name(), DType.BF16, p.array().getShape().getShape(), () -> bf16(p.array().toFloatArray()));
                    weightMap.put(p.name(), file);
                    total += 2 * p.size();
                }
                writer.write(dir.resolve(file));
            }
            index.putObject("metadata").put("total_size", total);
            ObjectNode config = model.config().toJson();
            config.put("torch_dtype", "bfloat16");
            Files.writeString(dir.resolve("config.json"), config.toPrettyString());
            if (groups.size() > 1) {
                Files.writeString(dir.resolve("model.safetensors.index.json"), index.toPrettyString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint to " + dir, e);
        }
        return total;
    }

    /** bfloat16 bits, rounded to nearest even. */
    private static ByteBuffer bf16(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            b.putShort((short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16));
        }
        return b.flip();
    }

    private static JsonNode probe(Path dir) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), LoadProbe.class.getName(), dir.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the load probe failed (exit " + (p.isAlive() ? "timeout" : p.exitValue())
                        + "): " + out);
            }
            String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("the load probe printed no result: " + out));
            return new ObjectMapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run the load probe", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
