package dev.trellis.framework.memory;

/**
 * Remembers the whole conversation (LangChain's {@code ConversationBufferMemory}).
 *
 * <pre>{@code
 * ConversationBufferMemory memory = new ConversationBufferMemory();
 * memory.saveContext("Hi", "What's up");
 * memory.loadMemoryVariables(); // {history=Human: Hi\nAI: What's up}
 * }</pre>
 */
public final class ConversationBufferMemory extends AbstractConversationMemory {

    /** An in-memory buffer with id {@code default}. */
    public ConversationBufferMemory() {
        this(builder());
    }

    private ConversationBufferMemory(Builder builder) {
        super(builder);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void prune(State state) {
        // keeps everything
    }

    public static final class Builder extends AbstractConversationMemory.Builder<ConversationBufferMemory, Builder> {
        @Override
        public ConversationBufferMemory build() {
            return new ConversationBufferMemory(this);
        }
    }
}
