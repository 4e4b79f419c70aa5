package dev.trellis.finetune.eval;

import dev.langchain4j.model.chat.ChatModel;
import java.util.Objects;

/**
 * Something that answers a question with text: a local generator, a {@link ChatModel}, a lambda.
 * {@link ModelEvaluator} only needs this, so base and finetuned models, local or remote, are
 * evaluated the same way.
 */
@FunctionalInterface
public interface Answerer {

    /** The answer to {@code question}, without the question itself. */
    String answer(String question);

    /** Answers by sending the question as one user message to {@code model}. */
    static Answerer of(ChatModel model) {
        Objects.requireNonNull(model, "model");
        return model::chat;
    }
}
