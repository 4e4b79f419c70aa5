package dev.trellis.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before any work starts, that a command can write where it was told to. */
public final class OutputDirectory {

    private OutputDirectory() {
    }

    /**
     * Refuses with a {@link UserError} naming {@code flag} when {@code dir} (or, while it does not exist yet,
     * the nearest directory above it, where it would be created) is a file or cannot be written: probed by
     * creating and deleting a file there, so read-only file systems and permissions both count.
     */
    public static void requireWritable(Path dir, String flag) {
        requireWritable(dir, flag, false);
    }

    /** As {@link #requireWritable(Path, String)}, and with {@code beside} also the directory that holds {@code dir}. */
    public static void requireWritable(Path dir, String flag, boolean beside) {
        Path target = dir.toAbsolutePath().normalize();
        if (beside && Files.isDirectory(target) && target.getParent() != null) {
            check(dir, target.getParent(), target, flag);
        }
        check(dir, target, target, flag);
    }

    private static void check(Path dir, Path target, Path output, String flag) {
        Path existing = target;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return; // nothing of the path exists, not even its root: let the command report what it finds
        }
        if (!Files.isDirectory(existing)) {
            throw new UserError(flag + " " + dir + ": " + (existing.equals(output) ? "it is a file"
                    : existing + " is a file, not a directory") + "; choose a directory with " + flag);
        }
        try {
            Files.delete(Files.createTempFile(existing, ".trellis-write-check-", ".tmp"));
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
            throw new UserError(flag + " " + dir + ": cannot write " + (existing.equals(output) ? "there" : "in " + existing)
                    + " (" + reason + "); choose a directory you can write to with " + flag, e);
        }
    }
}
