package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.memory.ConversationBufferMemory;
import dev.trellis.framework.memory.ConversationBufferWindowMemory;
import dev.trellis.framework.memory.ConversationSummaryBufferMemory;
import dev.trellis.framework.memory.ConversationTokenBufferMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** The course's memory section: one conversation per memory type. */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Conversation memories, as in LangChain's memory lesson: a ConversationChain with a buffer,"
                + " a window of the last k exchanges, a token-limited buffer, and a moving summary."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis memory", "  trellis memory --type summary --model checkpoints/my-model"})
public final class MemoryCommand implements Callable<Integer> {

    enum Type { all, buffer, window, token, summary }

    @Mixin
    ModelOptions models;

    @Option(names = "--type", defaultValue = "all",
            description = "Which memory to show: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Type type;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        ChatModel llm = models.chatModel(out);
        if (type == Type.all || type == Type.buffer) {
            buffer(llm);
        }
        if (type == Type.all || type == Type.window) {
            window(llm);
        }
        if (type == Type.all || type == Type.token) {
            token(llm);
        }
        if (type == Type.all || type == Type.summary) {
            summary(llm);
        }
        return 0;
    }

    /** ConversationBufferMemory: the whole conversation goes into every prompt. */
    private void buffer(ChatModel llm) {
        heading("ConversationBufferMemory");
        var memory = new ConversationBufferMemory();
        var conversation = ConversationChain.builder().llm(llm).memory(memory).verbose(true).build();
        conversation.predict("Hi, I'm Grace.");
        conversation.predict("How many legs does a spider have?");
        conversation.predict("Do you remember my name?");
        out.println("memory.loadMemoryVariables() = " + memory.loadMemoryVariables());
    }

    /** ConversationBufferWindowMemory(k=1): only the last exchange is remembered. */
    private void window(ChatModel llm) {
        heading("ConversationBufferWindowMemory (k = 1)");
        var memory = new ConversationBufferWindowMemory(1);
        memory.saveContext("Good morning", "Morning! What can I do for you?");
        memory.saveContext("Nothing yet, thanks", "Alright");
        out.println("memory.loadMemoryVariables() = " + memory.loadMemoryVariables());

        var conversation = new ConversationChain(llm, memory);
        out.println("> Hi, I'm Grace.\n" + conversation.predict("Hi, I'm Grace."));
        out.println("> How many legs does a spider have?\n" + conversation.predict("How many legs does a spider have?"));
        out.println("> Do you remember my name?\n" + conversation.predict("Do you remember my name?"));
    }

    /** ConversationTokenBufferMemory: only the newest messages that fit in 20 tokens stay. */
    private void token(ChatModel llm) {
        heading("ConversationTokenBufferMemory (max 20 tokens)");
        var memory = new ConversationTokenBufferMemory(models.tokenCounter(llm), 20);
        memory.saveContext("Tents are what?", "Temporary homes!");
        memory.saveContext("Compasses are what?", "Clever!");
        memory.saveContext("Rain jackets are what?", "Reliable!");
        out.println("memory.loadMemoryVariables() = " + memory.loadMemoryVariables());
    }

    /** ConversationSummaryBufferMemory: older messages are folded into a summary by the model. */
    private void summary(ChatModel llm) {
        heading("ConversationSummaryBufferMemory (max 100 tokens)");
        String schedule = "At 8am the warehouse team meets to review the autumn restock, bring the inventory sheet."
                + " From 9am to noon you have time to finish the catalogue import, which should be quick with"
                + " Trellis' CSV loader. At noon you have lunch at the noodle bar with a supplier who is"
                + " travelling two hours to discuss waterproof fabrics. Bring samples of the new ripstop shell.";
        var memory = ConversationSummaryBufferMemory.builder()
                .chatModel(llm).tokenCountEstimator(models.tokenCounter(llm)).maxTokenLimit(100).build();
        memory.saveContext("Hello", "Hi there");
        memory.saveContext("Not much going on, just relaxing", "Nice");
        memory.saveContext("What is on the schedule today?", schedule);
        out.println("memory.loadMemoryVariables() = " + memory.loadMemoryVariables());

        var conversation = ConversationChain.builder().llm(llm).memory(memory).verbose(true).build();
        out.println(conversation.predict("Which fabric samples should I bring to lunch?"));
        out.println("memory.loadMemoryVariables() = " + memory.loadMemoryVariables());
    }

    private void heading(String title) {
        out.println();
        out.println("=== " + title + " ===");
    }
}
