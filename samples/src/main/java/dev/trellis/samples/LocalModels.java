package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.framework.models.ModelConfigurationException;
import dev.trellis.samples.data.DocsQaGenerator;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a local checkpoint directory (Hugging Face layout plus {@code trellis.json}) as a
 * langchain4j {@link ChatModel}: the one place the samples turn a directory into a model.
 */
final class LocalModels {

    /** Longest reply of a local model when no {@code --max-tokens} is given. */
    static final int DEFAULT_MAX_TOKENS = 256;

    private LocalModels() {
    }

    /** The default local checkpoint: what {@code trellis quickstart} trains and every command uses without {@code --model}. */
    static Path defaultCheckpoint() {
        return TrellisHome.models().resolve("default");
    }

    /** Whether {@code dir} looks like a checkpoint (has a {@code config.json}). */
    static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    static ChatModel load(Path dir) {
        return load(dir, DEFAULT_MAX_TOKENS);
    }

    /** The checkpoint at {@code dir}, replying with at most {@code maxTokens} tokens unless a request asks otherwise. */
    static ChatModel load(Path dir, int maxTokens) {
        return load(dir, maxTokens, false);
    }

    /** The same, with grounded answers (spans of the retrieved context, or the catalogue's refusal) when asked. */
    static ChatModel load(Path dir, int maxTokens, boolean grounded) {
        return load(dir, maxTokens, grounded, Quantization.NONE);
    }

    /** The same, with the weights held as {@code quantization} says ({@code --quantize}). */
    static ChatModel load(Path dir, int maxTokens, boolean grounded, Quantization quantization) {
        if (!Files.isDirectory(dir)) {
            throw new ModelConfigurationException("--model " + dir + ": no such directory; give a checkpoint"
                    + " directory written by `trellis finetune train` (config.json, model.safetensors, tokenizer.json)");
        }
        if (!isCheckpoint(dir)) {
            throw new ModelConfigurationException("--model " + dir + ": not a checkpoint, it has no config.json;"
                    + " give a directory written by `trellis finetune train` or a Hugging Face checkpoint");
        }
        LocalChatModel.Builder b = LocalChatModel.builder().checkpoint(dir).defaultMaxTokens(maxTokens).quantize(quantization);
        if (grounded) {
            b.groundedAnswers(DocsQaGenerator.GROUNDED_FIXED_ANSWERS, DocsQaGenerator.GROUNDED_SPAN_PREFIXES);
        }
        return b.build();
    }
}
