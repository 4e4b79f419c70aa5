package dev.trellis.finetune.model.safetensors;

import dev.trellis.framework.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes a safetensors file atomically. Tensors are added with a supplier of their bytes, which
 * is called once while writing, so only one tensor's data is on the Java heap at a time.
 *
 * <pre>{@code
 * new SafetensorsWriter().metadata("format", "pt")
 *         .addFloats("embed.weight", new long[] {4, 2}, data)
 *         .write(dir.resolve("model.safetensors"));
 * }</pre>
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
    }

    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds an entry to the header's {@code __metadata__} (transformers expects {@code format: pt}). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose little-endian bytes the supplier returns when the file is written. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("tensor name '" + name + "' is not allowed in a safetensors file");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was added twice; names in a safetensors file are unique");
        }
        tensors.add(new Pending(name, dtype, shape.clone(), data));
        return this;
    }

    /** Adds a float32 tensor from a row-major array. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
        checkSize(name, shape, values.length);
        return add(name, DType.F32, shape, () -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return b;
        });
    }

    /** Adds an int64 tensor from a row-major array. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        checkSize(name, shape, values.length);
        return add(name, DType.I64, shape, () -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            return b;
        });
    }

    /** Total bytes of tensor data added so far. */
    public long dataBytes() {
        long total = 0;
        for (Pending p : tensors) {
            total += numel(p.shape) * p.dtype.bytes();
        }
        return total;
    }

    /** Writes the file atomically (temporary file, fsync, rename). */
    public void write(Path file) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Pending p : tensors) {
            long len = numel(p.shape) * p.dtype.bytes();
            ObjectNode entry = header.putObject(p.name);
            entry.put("dtype", p.dtype.name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(p.shape).forEach(shape::add);
            ArrayNode offsets = entry.putArray("data_offsets");
            offsets.add(offset).add(offset + len);
            offset += len;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        // The data section starts 8-byte aligned, padded with spaces as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, head);
            for (Pending p : tensors) {
                ByteBuffer data = p.data.get();
                long expected = numel(p.shape) * p.dtype.bytes();
                if (data.remaining() != expected) {
                    throw new SafetensorsException("tensor '" + p.name + "' of shape " + Arrays.toString(p.shape) + " "
                            + p.dtype + " needs " + expected + " bytes but its data has " + data.remaining());
                }
                AtomicFiles.writeFully(ch, data);
            }
        });
    }

    private static void checkSize(String name, long[] shape, int length) {
        if (numel(shape) != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " (" + numel(shape) + " elements) but " + length + " values were given");
        }
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
