package dev.trellis.finetune.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsTensorsMetadataAndAlignment() throws IOException {
        Path file = tmp.resolve("t.safetensors");
        float[] w = {1.5f, -2f, 3.25f, 0f, 1e-8f, -7f};
        long[] ids = {1, 2, Long.MAX_VALUE};
        new SafetensorsWriter().metadata("format", "pt")
                .addFloats("layer.weight", new long[] {2, 3}, w)
                .addLongs("ids", new long[] {3}, ids)
                .addFloats("scalar", new long[] {}, new float[] {42f})
                .write(file);
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertThat(header).contains("\"__metadata__\":{\"format\":\"pt\"}").contains("\"dtype\":\"F32\"");
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.metadata()).containsEntry("format", "pt");
            assertThat(r.tensors().keySet()).containsExactly("layer.weight", "ids", "scalar");
            assertThat(r.info("layer.weight").shape()).containsExactly(2, 3);
            assertThat(r.readFloats("layer.weight")).containsExactly(w);
            assertThat(r.readLongs("ids")).containsExactly(ids);
            assertThat(r.readFloats("scalar")).containsExactly(42f);
            assertThatThrownBy(() -> r.readFloats("missing")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("no tensor named 'missing'");
            assertThatThrownBy(() -> r.readLongs("layer.weight")).isInstanceOf(SafetensorsException.class);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void widensHalfPrecision() {
        assertThat(SafetensorsReader.halfToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(SafetensorsReader.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(SafetensorsReader.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(SafetensorsReader.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    }

    @Test
    void truncatedAndMalformedFilesAreRefusedWithTheFileName() throws IOException {
        Path file = tmp.resolve("ok.safetensors");
        new SafetensorsWriter().addFloats("a", new long[] {4}, new float[] {1, 2, 3, 4}).write(file);
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> SafetensorsReader.open(truncated)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("truncated.safetensors").hasMessageContaining("truncated or corrupt");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.writeString(garbage, "this is not a safetensors file at all");
        assertThatThrownBy(() -> SafetensorsReader.open(garbage)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("garbage.safetensors");
        assertThatThrownBy(() -> SafetensorsReader.open(tmp.resolve("absent.safetensors")))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new SafetensorsWriter().addFloats("a", new long[] {3}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }
}
