package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.framework.memory.ConversationBufferWindowMemory;
import dev.trellis.framework.memory.ConversationMemory;
import dev.trellis.framework.memory.ConversationSummaryBufferMemory;
import dev.trellis.framework.memory.ConversationTokenBufferMemory;
import dev.trellis.framework.memory.FileChatMemoryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** An interactive chatbot whose memory survives restarts (a ConversationChain over a file store). */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with the model on the terminal. The conversation is kept in"
                + " $TRELLIS_HOME/conversations/SESSION.json, so the next run continues it.",
                "Commands: /reset forgets the session, /exit (or end of input) quits. Input may be piped."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis chat --memory window --k 3",
                "  echo \"My name is Grace\" | trellis chat --session grace",
                "  echo \"What is my name?\" | trellis chat --session grace"})
public final class ChatCommand implements Callable<Integer> {

    enum MemoryType { buffer, window, token, summary }

    @Mixin
    ModelOptions models;

    @Option(names = "--memory", defaultValue = "buffer",
            description = "Memory type: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    MemoryType memoryType;

    @Option(names = "--session", defaultValue = "default", paramLabel = "NAME",
            description = "Conversation to continue or start (default: ${DEFAULT-VALUE}).")
    String session;

    @Option(names = "--k", defaultValue = "3", description = "Exchanges the window memory shows (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--max-token-limit", defaultValue = "500",
            description = "Token budget of the token and summary memories (LangChain's max_token_limit) (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--quarantine-corrupt",
            description = "If the session's file cannot be read, move it aside (kept as NAME.corrupt-TIME) and start afresh.")
    boolean quarantineCorrupt;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        ChatModel llm = models.chatModel(out);
        var store = FileChatMemoryStore.builder().directory(TrellisHome.conversations())
                .onCorruptFile(quarantineCorrupt ? FileChatMemoryStore.CorruptFilePolicy.MOVE_ASIDE
                        : FileChatMemoryStore.CorruptFilePolicy.FAIL).build();
        ConversationMemory memory = memory(llm, store);
        var conversation = new ConversationChain(llm, memory);

        boolean interactive = System.console() != null;
        int remembered = memory.messages().size();
        out.println(remembered == 0
                ? "New session '" + session + "' (" + memoryType + " memory), saved in " + store.fileFor(session)
                : "Continuing session '" + session + "' (" + memoryType + " memory, " + remembered
                + " messages) from " + store.fileFor(session));
        if (interactive) {
            out.println("Type a message; /reset forgets the session, /exit quits.");
        }
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            if (interactive) {
                out.print("you> ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) {
                break;
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("/reset")) {
                memory.clear();
                out.println("(session '" + session + "' forgotten)");
                continue;
            }
            if (!interactive) {
                out.println("you> " + line);
            }
            out.println("ai> " + conversation.predict(line));
        }
        return 0;
    }

    private ConversationMemory memory(ChatModel llm, FileChatMemoryStore store) {
        return switch (memoryType) {
            case buffer -> ConversationBufferMemory.builder().chatMemoryStore(store).id(session).build();
            case window -> ConversationBufferWindowMemory.builder().chatMemoryStore(store).id(session).k(k).build();
            case token -> ConversationTokenBufferMemory.builder().chatMemoryStore(store).id(session)
                    .tokenCountEstimator(models.tokenCounter(llm)).maxTokenLimit(maxTokens).build();
            case summary -> ConversationSummaryBufferMemory.builder().chatMemoryStore(store).id(session)
                    .chatModel(llm).tokenCountEstimator(models.tokenCounter(llm)).maxTokenLimit(maxTokens).build();
        };
    }
}
