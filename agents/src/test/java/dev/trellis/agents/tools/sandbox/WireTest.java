package dev.trellis.agents.tools.sandbox;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireTest {

    private static byte[] frame(List<String> fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Wire.write(new DataOutputStream(bytes), fields);
        return bytes.toByteArray();
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    @Test
    void roundTripsFieldsAndEndsCleanly() throws IOException {
        DataInputStream in = in(frame(List.of("COMPLETED", "héllo\nwörld", "")));
        assertThat(Wire.read(in, 1_000)).containsExactly("COMPLETED", "héllo\nwörld", "");
        assertThat(Wire.read(in, 1_000)).isEmpty(); // end of stream
    }

    @Test
    void rejectsStrayBytesAndOversizedFrames() throws IOException {
        assertThatThrownBy(() -> Wire.read(in("garbage!".getBytes()), 1_000))
                .isInstanceOf(IOException.class).hasMessageContaining("expected frame marker");
        byte[] big = frame(List.of("x".repeat(5_000)));
        assertThatThrownBy(() -> Wire.read(in(big), 1_000))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than 1000 bytes");
        byte[] cut = java.util.Arrays.copyOf(big, 100);
        assertThatThrownBy(() -> Wire.read(in(cut), 10_000))
                .isInstanceOf(IOException.class).hasMessageContaining("cut off");
    }
}
