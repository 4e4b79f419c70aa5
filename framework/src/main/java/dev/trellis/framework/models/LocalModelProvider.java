package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;

/**
 * A source of a local chat model, found with {@link java.util.ServiceLoader} so that the
 * framework module needs no dependency on the one that runs the model (Trellis' finetune
 * module registers one for its {@code LocalChatModel}). {@link Models#fromEnvironment()} uses
 * the available provider with the highest {@link #priority()} when no remote model is configured.
 *
 * <p>Register an implementation in
 * {@code META-INF/services/dev.trellis.framework.models.LocalModelProvider}.
 */
public interface LocalModelProvider {

    /** A short human-readable name for logs and messages, e.g. {@code "trellis-finetune (./checkpoints/latest)"}. */
    String name();

    /** Whether {@link #create()} can succeed now (e.g. a trained checkpoint exists); must be cheap. */
    boolean isAvailable();

    /** Loads the model; may be slow. */
    ChatModel create();

    /** Higher wins when several providers are available; ties are broken by name. */
    default int priority() {
        return 0;
    }
}
