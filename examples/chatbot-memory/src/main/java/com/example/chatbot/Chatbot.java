package com.example.chatbot;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.ConversationChain;
import dev.trellis.framework.memory.ConversationSummaryBufferMemory;
import dev.trellis.framework.memory.FileChatMemoryStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A chatbot whose memory survives restarts: recent turns verbatim, older ones folded into a summary
 * by the model, all kept in {@code conversations/me.json}. Each message on the command line is one
 * turn (three made-up ones without arguments); run it twice and the second run remembers the first.
 *
 * <pre>
 * java -Dai.djl.offline=true -jar target/chatbot-memory.jar ["Hi, I'm Andrew" "What is my name?"]
 * </pre>
 */
public class Chatbot {

    public static void main(String[] args) throws Exception {
        List<String> turns = args.length > 0 ? List.of(args)
                : List.of("Hi, my name is Andrew.", "What is 1 + 1?", "What is my name?");
        ChatModel model = ExampleModel.create(ChatData::of);   // OPENAI_API_KEY / OPENAI_BASE_URL, else a local model
        FileChatMemoryStore store = new FileChatMemoryStore(Path.of("conversations"));

        ConversationSummaryBufferMemory memory = memory(model, store);
        System.out.println("Memory from earlier runs: " + memory.messages().size() + " messages"
                + (memory.movingSummaryBuffer().isEmpty() ? "" : ", summary: " + memory.movingSummaryBuffer()));
        ConversationChain chat = new ConversationChain(model, memory);
        for (String turn : turns) {
            System.out.println("> " + turn);
            chat.stream(Map.of("input", turn), System.out::print);   // tokens as they come
            System.out.println();
        }

        // A restart: a new memory over the same store reads back what this run wrote.
        ConversationSummaryBufferMemory reloaded = memory(model, store);
        System.out.println("Saved in " + store.fileFor("me") + ": " + reloaded.messages().size() + " messages"
                + (reloaded.movingSummaryBuffer().isEmpty() ? "" : ", summary: " + reloaded.movingSummaryBuffer()));
    }

    private static ConversationSummaryBufferMemory memory(ChatModel model, FileChatMemoryStore store) {
        return ConversationSummaryBufferMemory.builder()
                .chatModel(model)
                .maxTokenLimit(100)            // older turns beyond this are summarized by the model
                .chatMemoryStore(store)        // one JSON file per conversation, written atomically
                .id("me")
                .build();
    }
}
