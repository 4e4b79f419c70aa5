package dev.trellis.finetune.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Tensors are read one at a
 * time, so a checkpoint larger than the heap can be streamed into native memory.
 *
 * <p>Floating-point tensors are returned as float32: F16 and BF16 are widened in Java (DJL 0.36
 * cannot convert bf16 itself), F64 is narrowed.
 */
public final class SafetensorsReader implements Closeable {

    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart,
                              Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens {@code file} and parses its header; the data is read on demand. */
    public static SafetensorsReader open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException("safetensors file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("could not open " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file + " is " + size + " bytes, too short for a safetensors file; "
                        + "it is truncated or not a safetensors file");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new SafetensorsException(file + " declares a header of " + headerLen + " bytes but the file is "
                        + size + " bytes; it is truncated or not a safetensors file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (IOException e) {
                throw new SafetensorsException("the header of " + file + " is not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new SafetensorsException("the header of " + file + " is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataSize));
            }
            return new SafetensorsReader(file, ch, dataStart, tensors, metadata);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataSize) {
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shape == null || !shape.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException("tensor '" + name + "' in " + file
                    + " needs 'dtype', 'shape' and a two-element 'data_offsets'; found " + node);
        }
        DType type = DType.parse(dtype.asText(), file.toString(), name);
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong();
            if (dims[i] < 0) {
                throw new SafetensorsException("tensor '" + name + "' in " + file + " has a negative dimension: " + shape);
            }
        }
        TensorInfo info = new TensorInfo(name, type, dims, offsets.get(0).asLong(), offsets.get(1).asLong());
        if (info.begin() < 0 || info.end() < info.begin() || info.end() > dataSize) {
            throw new SafetensorsException("tensor '" + name + "' in " + file + " spans bytes [" + info.begin() + ", "
                    + info.end() + ") but the data section is " + dataSize + " bytes; the file is truncated or corrupt");
        }
        if (info.end() - info.begin() != info.numel() * type.bytes()) {
            throw new SafetensorsException("tensor '" + name + "' in " + file + " has shape " + shape + " of " + type
                    + " (" + info.numel() * type.bytes() + " bytes) but spans " + (info.end() - info.begin()) + " bytes");
        }
        return info;
    }

    /** The file this reader reads. */
    public Path file() {
        return file;
    }

    /** Tensors by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's entry, or a {@link SafetensorsException} naming the file when it has none. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(file + " has no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's raw little-endian bytes. */
    public ByteBuffer readRaw(String name) {
        return readRaw(name, null);
    }

    /**
     * The tensor's raw little-endian bytes, read into {@code reuse} when it is a direct buffer large
     * enough (so that loading a model does not leave one garbage buffer per tensor), else into a new one.
     */
    public ByteBuffer readRaw(String name, ByteBuffer reuse) {
        TensorInfo info = info(name);
        long len = info.end() - info.begin();
        if (len > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("tensor '" + name + "' in " + file + " is " + len
                    + " bytes, more than one Java buffer holds; split it across shards");
        }
        ByteBuffer buf = reuse != null && reuse.isDirect() && reuse.capacity() >= len
                ? reuse.clear().limit((int) len) : ByteBuffer.allocateDirect((int) len);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(channel, buf, dataStart + info.begin());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read tensor '" + name + "' from " + file + ": " + e.getMessage(), e);
        }
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A floating-point tensor as float32 values in a new direct little-endian buffer (F16/BF16 widened,
     * F64 narrowed), for handing to native code without a Java float array. Half-precision bytes are
     * read through {@code scratch} when it is large enough, so a whole model loads with one spare buffer.
     */
    public ByteBuffer readFloat32(String name, ByteBuffer scratch) {
        TensorInfo info = info(name);
        if (info.dtype() == DType.F32) {
            return readRaw(name);
        }
        int n = Math.toIntExact(info.numel());
        if ((long) n * 4 > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("tensor '" + name + "' in " + file + " has " + n
                    + " values, more than one float32 buffer holds; split it across shards");
        }
        ByteBuffer raw = readRaw(name, scratch);
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        switch (info.dtype()) {
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.putInt(i * 4, (raw.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(i * 4, halfToFloat(raw.getShort(i * 2)));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(i * 4, (float) raw.getDouble(i * 8));
                }
            }
            default -> throw new SafetensorsException("tensor '" + name + "' in " + file + " is " + info.dtype()
                    + ", not a floating-point type; read it with readLongs");
        }
        return out;
    }

    /** A floating-point tensor as float32 values (F16/BF16 widened, F64 narrowed), row-major. */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        ByteBuffer raw = readRaw(name);
        int n = Math.toIntExact(info.numel());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> raw.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) raw.getDouble(i * 8);
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((raw.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(raw.getShort(i * 2));
                }
            }
            default -> throw new SafetensorsException("tensor '" + name + "' in " + file + " is " + info.dtype()
                    + ", not a floating-point type; read it with readLongs");
        }
        return out;
    }

    /** An integer tensor as longs, row-major. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        ByteBuffer raw = readRaw(name);
        int n = Math.toIntExact(info.numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (info.dtype()) {
                case I64 -> raw.getLong(i * 8);
                case I32 -> raw.getInt(i * 4);
                case I16 -> raw.getShort(i * 2);
                case I8 -> raw.get(i);
                case U8, BOOL -> raw.get(i) & 0xff;
                default -> throw new SafetensorsException("tensor '" + name + "' in " + file + " is " + info.dtype()
                        + ", not an integer type; read it with readFloats");
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close " + file, e);
        }
    }
}
