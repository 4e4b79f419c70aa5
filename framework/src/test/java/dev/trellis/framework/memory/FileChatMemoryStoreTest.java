package dev.trellis.framework.memory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FileChatMemoryStore on a real directory: round trips, names, corruption, atomicity, threads. */
class FileChatMemoryStoreTest {

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripsEveryMessageKindAcrossStoreInstances(@TempDir Path dir) {
        List<ChatMessage> messages = List.of(SystemMessage.from("sys"), UserMessage.from("Héllo \"quoted\"\n"),
                AiMessage.from("hi"));
        new FileChatMemoryStore(dir).updateMessages("u1", messages);
        assertThat(new FileChatMemoryStore(dir).getMessages("u1")).isEqualTo(messages);
        assertThat(new FileChatMemoryStore(dir).getMessages("nobody")).isEmpty();
    }

    @Test
    void fileNamesAreSafeDistinctAndInsideTheDirectory(@TempDir Path dir) throws IOException {
        FileChatMemoryStore store = new FileChatMemoryStore(dir);
        List<Object> ids = List.of("alice", "Alice", "../../etc/passwd", "a/b", "a_b", "con", ".hidden", "José",
                "x".repeat(500), 42, "42 ");
        Set<Path> seen = new HashSet<>();
        for (Object id : ids) {
            Path file = store.fileFor(id);
            assertThat(file.getParent()).isEqualTo(dir.toAbsolutePath().normalize());
            assertThat(file.getFileName().toString()).matches("[a-z0-9_][a-z0-9_.-]*\\.json").hasSizeLessThan(120);
            assertThat(seen.add(file)).as("file for %s is unique", id).isTrue();
            store.updateMessages(id, List.of(UserMessage.from("I am " + id)));
        }
        assertThat(store.fileFor("alice").getFileName().toString()).isEqualTo("alice.json");
        for (Object id : ids) {
            assertThat(new FileChatMemoryStore(dir).getMessages(id)).containsExactly(UserMessage.from("I am " + id));
        }
        assertThat(files(dir)).hasSize(ids.size());
    }

    @Test
    void aCorruptFileIsNamedInTheErrorAndLeftUntouched(@TempDir Path dir) throws IOException {
        FileChatMemoryStore store = new FileChatMemoryStore(dir);
        ConversationBufferMemory memory = ConversationBufferMemory.builder().id("bob").chatMemoryStore(store).build();
        memory.saveContext("Hi", "Hello");
        Path file = store.fileFor("bob");
        byte[] torn = "{\"format\":\"trellis-chat-memory\",\"version\":1,\"id\":\"bob\",\"messages\":[{\"ty"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(file, torn);

        FileChatMemoryStore reopened = new FileChatMemoryStore(dir);
        ConversationBufferMemory again = ConversationBufferMemory.builder().id("bob").chatMemoryStore(reopened).build();
        assertThatThrownBy(again::messages)
                .isInstanceOf(CorruptChatMemoryException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("left untouched")
                .hasMessageContaining("quarantine");
        assertThatThrownBy(() -> again.saveContext("Still there?", "?")).isInstanceOf(CorruptChatMemoryException.class);
        assertThatThrownBy(() -> reopened.updateMessages("bob", List.of(UserMessage.from("overwrite"))))
                .isInstanceOf(CorruptChatMemoryException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(torn);
        assertThat(files(dir)).containsExactly("bob.json");
    }

    @Test
    void aFileOfAnotherConversationOrFormatIsRefused(@TempDir Path dir) throws IOException {
        FileChatMemoryStore store = new FileChatMemoryStore(dir);
        store.updateMessages("carol", List.of(UserMessage.from("mine")));
        Files.copy(store.fileFor("carol"), store.fileFor("dave"));
        assertThatThrownBy(() -> store.getMessages("dave")).isInstanceOf(CorruptChatMemoryException.class)
                .hasMessageContaining("holds conversation 'carol'");
        Files.writeString(store.fileFor("erin"), "[1, 2]");
        assertThatThrownBy(() -> store.getMessages("erin")).hasMessageContaining("not a Trellis chat memory file");
    }

    @Test
    void corruptFilesAreMovedAsideOnlyWhenAsked(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("frank.json"), "garbage");
        Files.writeString(dir.resolve("gina.json"), "garbage");

        FileChatMemoryStore movingAside = FileChatMemoryStore.builder().directory(dir)
                .onCorruptFile(FileChatMemoryStore.CorruptFilePolicy.MOVE_ASIDE).build();
        assertThat(movingAside.getMessages("frank")).isEmpty();
        movingAside.updateMessages("frank", List.of(UserMessage.from("fresh start")));

        Path moved = new FileChatMemoryStore(dir).quarantine("gina");
        assertThat(moved.getFileName().toString()).startsWith("gina.json.corrupt-");
        assertThat(Files.readString(moved)).isEqualTo("garbage");

        assertThat(files(dir)).hasSize(3).contains("frank.json")
                .anyMatch(name -> name.startsWith("frank.json.corrupt-"));
        assertThat(new FileChatMemoryStore(dir).getMessages("frank")).containsExactly(UserMessage.from("fresh start"));
        assertThatThrownBy(() -> new FileChatMemoryStore(dir).quarantine("nobody"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntactAndNoTempFile(@TempDir Path dir) throws IOException {
        FileChatMemoryStore store = new FileChatMemoryStore(dir);
        store.updateMessages("hank", List.of(UserMessage.from("v1")));
        byte[] v1 = Files.readAllBytes(store.fileFor("hank"));
        List<Path> tempsSeen = new ArrayList<>();
        store.beforeRename = tmp -> {
            tempsSeen.add(tmp);
            assertThat(Files.readString(tmp)).contains("v2"); // fully written and synced before the rename
            throw new IOException("disk full (simulated)");
        };

        assertThatThrownBy(() -> store.updateMessages("hank", List.of(UserMessage.from("v2"))))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(store.fileFor("hank").toString())
                .hasMessageContaining("previous version of the file is unchanged");

        assertThat(tempsSeen).hasSize(1);
        assertThat(Files.readAllBytes(store.fileFor("hank"))).isEqualTo(v1);
        assertThat(files(dir)).containsExactly("hank.json");
        assertThat(store.getMessages("hank")).containsExactly(UserMessage.from("v1"));

        store.beforeRename = tmp -> { };
        store.updateMessages("hank", List.of(UserMessage.from("v3")));
        assertThat(new FileChatMemoryStore(dir).getMessages("hank")).containsExactly(UserMessage.from("v3"));
        assertThat(files(dir)).containsExactly("hank.json");
    }

    @Test
    void changesMadeBehindTheStoresBackAreSeen(@TempDir Path dir) {
        FileChatMemoryStore reader = new FileChatMemoryStore(dir);
        FileChatMemoryStore writer = new FileChatMemoryStore(dir);
        writer.updateMessages("ivy", List.of(UserMessage.from("one")));
        assertThat(reader.getMessages("ivy")).containsExactly(UserMessage.from("one"));
        writer.updateMessages("ivy", List.of(UserMessage.from("two")));
        assertThat(reader.getMessages("ivy")).containsExactly(UserMessage.from("two"));
        writer.deleteMessages("ivy");
        assertThat(reader.getMessages("ivy")).isEmpty();
    }

    @Test
    void threadsSharingAMemoryAndAStoreLoseNothing(@TempDir Path dir) throws Exception {
        FileChatMemoryStore store = new FileChatMemoryStore(dir);
        ConversationBufferMemory shared = ConversationBufferMemory.builder().id("shared").chatMemoryStore(store).build();
        int threads = 6;
        int turns = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ConversationBufferMemory own = ConversationBufferMemory.builder().id("own-" + t).chatMemoryStore(store).build();
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < turns; i++) {
                        shared.saveContext("t" + thread + " q" + i, "t" + thread + " a" + i);
                        own.saveContext("q" + i, "a" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<ChatMessage> all = new FileChatMemoryStore(dir).getMessages("shared");
        assertThat(all).hasSize(2 * threads * turns);
        for (int i = 0; i < all.size(); i += 2) { // each exchange stays whole
            String question = ((UserMessage) all.get(i)).singleText();
            assertThat(((AiMessage) all.get(i + 1)).text()).isEqualTo(question.replace(" q", " a"));
        }
        for (int t = 0; t < threads; t++) {
            assertThat(new FileChatMemoryStore(dir).getMessages("own-" + t)).hasSize(2 * turns);
        }
        assertThat(files(dir)).noneMatch(name -> name.endsWith(".tmp"));
    }
}
