package dev.trellis.agents.tools.sandbox;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The framing between the host and the sandbox JVM over the child's stdin/stdout: a magic number,
 * a field count, then length-prefixed UTF-8 fields. The magic number makes stray bytes on the
 * child's stdout (which should never happen) a detected protocol error instead of a misread frame.
 */
final class Wire {

    static final int MAGIC = 0x7E115AB0;

    private Wire() {
    }

    static void write(DataOutputStream out, List<String> fields) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(fields.size());
        for (String field : fields) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        out.flush();
    }

    /**
     * Reads one frame; {@code maxBytes} bounds the whole frame so a misbehaving peer cannot make
     * the reader allocate without limit. Returns an empty list at a clean end of stream.
     */
    static List<String> read(DataInputStream in, long maxBytes) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException end) {
            return List.of();
        }
        if (magic != MAGIC) {
            throw new IOException("sandbox protocol error: expected frame marker, got 0x" + Integer.toHexString(magic));
        }
        int count = in.readInt();
        if (count < 1 || count > 16) {
            throw new IOException("sandbox protocol error: frame with " + count + " fields");
        }
        List<String> fields = new ArrayList<>(count);
        long total = 0;
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            total += length;
            if (length < 0 || total > maxBytes) {
                throw new IOException("sandbox protocol error: frame larger than " + maxBytes + " bytes");
            }
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException("sandbox protocol error: frame cut off after " + bytes.length + " of " + length + " bytes");
            }
            fields.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return fields;
    }
}
