/**
 * Conversation memory with LangChain's semantics on langchain4j's {@code ChatMemory}:
 * {@link dev.trellis.framework.memory.ConversationBufferMemory},
 * {@link dev.trellis.framework.memory.ConversationBufferWindowMemory},
 * {@link dev.trellis.framework.memory.ConversationTokenBufferMemory},
 * {@link dev.trellis.framework.memory.ConversationSummaryBufferMemory} and
 * {@link dev.trellis.framework.memory.ConversationSummaryMemory}, each usable in Trellis chains and in
 * langchain4j {@code AiServices}, persisted through any {@code ChatMemoryStore} such as
 * {@link dev.trellis.framework.memory.FileChatMemoryStore}.
 */
package dev.trellis.framework.memory;
