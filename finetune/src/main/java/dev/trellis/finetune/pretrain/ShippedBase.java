package dev.trellis.finetune.pretrain;

import dev.trellis.finetune.model.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code trellis-base}: the base model Trellis pretrained with {@code trellis finetune pretrain} and ships
 * inside the finetune jar (float16 safetensors, its tokenizer, and {@code trellis.json} with the run's
 * provenance). Finetuning starts from it unless told otherwise, as the course starts from Pythia.
 *
 * <p>Checkpoint loaders read directories, so {@link #directory()} copies the files out of the jar once,
 * into a folder named by their content hash under the system temporary directory (a changed base gets a
 * new folder; a deleted one is copied again on the next call).
 */
public final class ShippedBase {

    /** The name that stands for the shipped base wherever a base checkpoint directory is accepted. */
    public static final String NAME = "trellis-base";
    /** Where the files sit on the class path. */
    public static final String RESOURCE_DIR = "/dev/trellis/finetune/pretrain/base/";
    /** The files of the checkpoint. */
    public static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json", "trellis.json", "loss.png");

    private ShippedBase() {
    }

    /** Whether {@code name} names the shipped base. */
    public static boolean isShippedBase(String name) {
        return NAME.equals(name);
    }

    /** Whether this build carries the base (a build made before it was first pretrained does not). */
    public static boolean available() {
        return ShippedBase.class.getResource(RESOURCE_DIR + "model.safetensors") != null;
    }

    /** The base as a checkpoint directory, copied out of the jar on first use. */
    public static synchronized Path directory() {
        if (resolved != null && Files.isRegularFile(resolved.resolve("model.safetensors"))) {
            return resolved; // hashed once per run
        }
        resolved = extract();
        return resolved;
    }

    private static Path resolved;

    private static Path extract() {
        if (!available()) {
            throw new CheckpointException("this Trellis build does not carry the pretrained base (" + RESOURCE_DIR
                    + "model.safetensors is missing); pretrain one with `trellis finetune pretrain` and pass it with --base");
        }
        try {
            MessageDigest digest = GroupedCorpus.sha256Digest();
            for (String f : FILES) {
                try (InputStream in = open(f)) {
                    if (in != null) {
                        digest.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        digest.update(in.readAllBytes());
                    }
                }
            }
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "trellis-base-" + hash);
            if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
                return dir;
            }
            Path tmp = Files.createTempDirectory(dir.getParent(), "trellis-base-");
            for (String f : FILES) {
                try (InputStream in = open(f)) {
                    if (in != null) {
                        Files.copy(in, tmp.resolve(f));
                    }
                }
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) { // another process copied it first: theirs is the same
                dev.trellis.framework.io.FileTrees.delete(tmp);
                if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
                    throw raced;
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the shipped base out of the jar: " + e.getMessage(), e);
        }
    }

    private static InputStream open(String file) {
        return ShippedBase.class.getResourceAsStream(RESOURCE_DIR + file);
    }
}
