package dev.trellis.framework.memory;

import java.nio.file.Path;

/**
 * A stored conversation that cannot be read back. The file is left exactly as it was found: the
 * message names it, says what is wrong and how to go on (restore it, delete it, or move it aside
 * with {@link FileChatMemoryStore#quarantine(Object)}).
 */
public class CorruptChatMemoryException extends RuntimeException {

    private final transient Path file;
    private final String memoryId;
    private final String problem;

    public CorruptChatMemoryException(Path file, Object memoryId, String problem, Throwable cause) {
        super("chat memory file " + file + " of conversation '" + memoryId + "' cannot be read: " + problem
                + ". The file was left untouched. Restore it from a backup, delete it to start the conversation "
                + "afresh, or move it aside with FileChatMemoryStore.quarantine(id) (or build the store with "
                + "onCorruptFile(MOVE_ASIDE)) to keep it as '<name>.corrupt-<timestamp>'.", cause);
        this.file = file;
        this.memoryId = String.valueOf(memoryId);
        this.problem = problem;
    }

    /** What is wrong with the file, without the file's name or the advice (e.g. "it is not valid JSON (...)"). */
    public String problem() {
        return problem;
    }

    /** The unreadable file. */
    public Path file() {
        return file;
    }

    /** The conversation id it was read for. */
    public String memoryId() {
        return memoryId;
    }
}
