package dev.trellis.framework.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A langchain4j {@link ChatMemoryStore} on disk: a directory with one JSON file per conversation
 * id, so a chatbot restarted after a crash continues the same conversation (a summarizing
 * memory's summary included, it is one of the stored messages).
 *
 * <ul>
 *   <li>Writes are atomic: a temp file in the same directory, fsync, rename over the old file,
 *       fsync of the directory. A crash or a failed write leaves the previous version intact.</li>
 *   <li>File names come from the id: {@code <id>.json} for ids of lowercase letters, digits,
 *       {@code -} and {@code _}; any other id gets a readable prefix plus a SHA-256 of the exact id,
 *       so ids differing only in case, or holding {@code /} or {@code ..}, never share or escape
 *       the directory. The id is stored inside the file and checked on read. Ids are compared
 *       by {@code toString()}.</li>
 *   <li>A file that cannot be read is never overwritten: reads and writes of that id throw
 *       {@link CorruptChatMemoryException} naming the file, unless the store was built with
 *       {@link CorruptFilePolicy#MOVE_ASIDE}, which renames it to {@code <name>.corrupt-<timestamp>}
 *       and starts that conversation afresh; {@link #quarantine(Object)} does the same on demand.</li>
 *   <li>Thread-safe: operations on one id are serialized (striped locks). Content last read or
 *       written is cached and revalidated by the file's identity, size and modification time, so
 *       a memory that reads the store on every call does not re-parse the file each time.</li>
 * </ul>
 * The directory is meant to be used by one process at a time.
 */
public final class FileChatMemoryStore implements ChatMemoryStore {

    /** What to do with a file that cannot be read. */
    public enum CorruptFilePolicy {
        /** Throw {@link CorruptChatMemoryException} and leave the file untouched (default). */
        FAIL,
        /** Rename it to {@code <name>.corrupt-<timestamp>}, log a warning, start the conversation afresh. */
        MOVE_ASIDE
    }

    private static final Logger log = LoggerFactory.getLogger(FileChatMemoryStore.class);
    private static final String FORMAT = "trellis-chat-memory";
    private static final int VERSION = 1;
    private static final Pattern PLAIN_ID = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,99}");
    private static final Set<String> WINDOWS_RESERVED = Set.of("con", "prn", "aux", "nul",
            "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
            "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Duration STALE_TEMP_AGE = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final CorruptFilePolicy onCorruptFile;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    /** Runs between the fsync of the temp file and the rename; tests inject failures here. */
    volatile WriteHook beforeRename = tmp -> { };

    /** A store in {@code directory} (created if missing) that refuses corrupt files. */
    public FileChatMemoryStore(Path directory) {
        this(builder().directory(directory));
    }

    private FileChatMemoryStore(Builder builder) {
        if (builder.directory == null) {
            throw new IllegalArgumentException("FileChatMemoryStore needs a directory; call builder().directory(path)");
        }
        this.directory = builder.directory.toAbsolutePath().normalize();
        this.onCorruptFile = builder.onCorruptFile;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create chat memory directory " + directory + ": " + e
                    + "; check that the path is a writable directory", e);
        }
        removeStaleTempFiles();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path directory() {
        return directory;
    }

    /** The file that holds conversation {@code memoryId} (it may not exist yet). */
    public Path fileFor(Object memoryId) {
        return directory.resolve(fileNameFor(memoryId));
    }

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        String name = fileNameFor(memoryId);
        Path file = directory.resolve(name);
        ReentrantLock lock = stripe(name);
        lock.lock();
        try {
            return new ArrayList<>(readValidated(memoryId, name, file));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        String name = fileNameFor(memoryId);
        Path file = directory.resolve(name);
        List<ChatMessage> copy = List.copyOf(messages);
        byte[] bytes = serialize(memoryId, copy);
        ReentrantLock lock = stripe(name);
        lock.lock();
        try {
            readValidated(memoryId, name, file); // never replace a file we could not read
            writeAtomically(memoryId, file, bytes);
            BasicFileAttributes attributes = attributes(file);
            if (attributes != null) {
                cache.put(name, new Cached(attributes, copy));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the conversation's file, readable or not: {@code clear()} is an explicit request. */
    @Override
    public void deleteMessages(Object memoryId) {
        String name = fileNameFor(memoryId);
        Path file = directory.resolve(name);
        ReentrantLock lock = stripe(name);
        lock.lock();
        try {
            cache.remove(name);
            if (Files.deleteIfExists(file)) {
                syncDirectory();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete chat memory file " + file + " of conversation '"
                    + memoryId + "': " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the conversation's file aside to {@code <name>.corrupt-<timestamp>} (whatever its
     * state) so the conversation starts afresh; returns where it went.
     *
     * @throws IllegalArgumentException when the conversation has no file
     */
    public Path quarantine(Object memoryId) {
        String name = fileNameFor(memoryId);
        Path file = directory.resolve(name);
        ReentrantLock lock = stripe(name);
        lock.lock();
        try {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("conversation '" + memoryId + "' has no file to quarantine ("
                        + file + " does not exist)");
            }
            return moveAside(memoryId, name, file);
        } finally {
            lock.unlock();
        }
    }

    /** The file name for an id: plain ids as they are, anything else a readable prefix plus a hash. */
    static String fileNameFor(Object memoryId) {
        Objects.requireNonNull(memoryId, "memoryId");
        String id = memoryId.toString();
        if (PLAIN_ID.matcher(id).matches() && !WINDOWS_RESERVED.contains(id)) {
            return id + ".json";
        }
        String prefix = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_");
        if (prefix.length() > 40) {
            prefix = prefix.substring(0, 40);
        }
        // The '.' cannot occur in a plain name, so a hashed name never equals one.
        return prefix + "." + sha256(id).substring(0, 32) + ".json";
    }

    private List<ChatMessage> readValidated(Object memoryId, String name, Path file) {
        BasicFileAttributes before = attributes(file);
        if (before == null) {
            cache.remove(name);
            return List.of();
        }
        Cached cached = cache.get(name);
        if (cached != null && cached.matches(before)) {
            return cached.messages;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException gone) {
            cache.remove(name);
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat memory file " + file + " of conversation '"
                    + memoryId + "': " + e, e);
        }
        List<ChatMessage> messages;
        try {
            messages = parse(memoryId, file, bytes);
        } catch (CorruptChatMemoryException corrupt) {
            if (onCorruptFile == CorruptFilePolicy.MOVE_ASIDE) {
                Path moved = moveAside(memoryId, name, file);
                log.warn("{}; moved it to {} and started conversation '{}' afresh", corrupt.getMessage(), moved, memoryId);
                return List.of();
            }
            throw corrupt;
        }
        BasicFileAttributes after = attributes(file);
        if (after != null && new Cached(before, List.of()).matches(after)) {
            cache.put(name, new Cached(after, messages));
        }
        return messages;
    }

    private static List<ChatMessage> parse(Object memoryId, Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CorruptChatMemoryException(file, memoryId, "it is not valid JSON (" + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()) + ")", e);
        } catch (IOException e) {
            throw new CorruptChatMemoryException(file, memoryId, "it is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new CorruptChatMemoryException(file, memoryId, "it is not a Trellis chat memory file (expected a JSON "
                    + "object with \"format\": \"" + FORMAT + "\")", null);
        }
        int version = root.path("version").asInt(-1);
        if (version != VERSION) {
            throw new CorruptChatMemoryException(file, memoryId, "it has format version " + version
                    + ", this Trellis reads version " + VERSION, null);
        }
        String storedId = root.path("id").asText(null);
        if (!memoryId.toString().equals(storedId)) {
            throw new CorruptChatMemoryException(file, memoryId, "it holds conversation '" + storedId
                    + "', not this one", null);
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new CorruptChatMemoryException(file, memoryId, "it has no \"messages\" array", null);
        }
        try {
            return List.copyOf(ChatMessageDeserializer.messagesFromJson(messages.toString()));
        } catch (RuntimeException e) {
            throw new CorruptChatMemoryException(file, memoryId, "its messages cannot be decoded (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] serialize(Object memoryId, List<ChatMessage> messages) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("id", memoryId.toString());
        try {
            root.set("messages", JSON.readTree(ChatMessageSerializer.messagesToJson(messages)));
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize the messages of conversation '" + memoryId + "': "
                    + e.getOriginalMessage(), e);
        }
    }

    private void writeAtomically(Object memoryId, Path file, byte[] bytes) {
        Path tmp = directory.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            beforeRename.run(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chat memory file " + file + " of conversation '" + memoryId
                    + "': " + e + "; the previous version of the file is unchanged", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                log.warn("could not remove temp file {}: {}", tmp, e.toString());
            }
        }
    }

    private Path moveAside(Object memoryId, String name, Path file) {
        Path target = directory.resolve(name + ".corrupt-" + STAMP.format(Instant.now()));
        try {
            try {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(file, target);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move chat memory file " + file + " of conversation '" + memoryId
                    + "' aside to " + target + ": " + e, e);
        }
        cache.remove(name);
        return target;
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel; its rename is durable without it.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw e;
            }
        }
    }

    private void removeStaleTempFiles() {
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, ".*.tmp")) {
            for (Path tmp : temps) {
                // Left by a process that died mid-write; the real file was never replaced by it.
                if (Files.getLastModifiedTime(tmp).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(tmp);
                    log.info("removed stale temp file {} left by an interrupted write", tmp);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list chat memory directory " + directory + ": " + e, e);
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat chat memory file " + file + ": " + e, e);
        }
    }

    private ReentrantLock stripe(String name) {
        return stripes[Math.floorMod(name.hashCode(), stripes.length)];
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }

    /**
     * What was last read or written, valid while the file is the same inode, size and modification
     * time (full precision: every write renames a new inode in, and inode numbers can be reused).
     */
    private record Cached(Object fileKey, long size, FileTime modified, List<ChatMessage> messages) {
        Cached(BasicFileAttributes attributes, List<ChatMessage> messages) {
            this(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime(), messages);
        }

        boolean matches(BasicFileAttributes attributes) {
            return fileKey != null && fileKey.equals(attributes.fileKey()) && size == attributes.size()
                    && modified.equals(attributes.lastModifiedTime());
        }
    }

    /** A step of the write path that may fail; package-private so tests can inject failures. */
    @FunctionalInterface
    interface WriteHook {
        void run(Path tempFile) throws IOException;
    }

    public static final class Builder {
        private Path directory;
        private CorruptFilePolicy onCorruptFile = CorruptFilePolicy.FAIL;

        /** The directory holding the files; created if missing. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** {@link CorruptFilePolicy#FAIL} (default) or {@link CorruptFilePolicy#MOVE_ASIDE}. */
        public Builder onCorruptFile(CorruptFilePolicy policy) {
            this.onCorruptFile = Objects.requireNonNull(policy, "onCorruptFile");
            return this;
        }

        public FileChatMemoryStore build() {
            return new FileChatMemoryStore(this);
        }
    }
}
