package dev.trellis.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.framework.models.Models;
import dev.trellis.framework.models.OpenAiConnectionBuilder;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model choice every sample shares (a picocli mixin): a remote OpenAI-compatible model when
 * {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} is set, else a local checkpoint
 * ({@code --model DIR}, or the one {@code trellis quickstart} trained).
 */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Local checkpoint directory to chat with (as written by `trellis finetune train`)."
                    + " Without it: the remote model when OPENAI_API_KEY or OPENAI_BASE_URL is set,"
                    + " else the quickstart model in $TRELLIS_HOME/models/default.")
    Path model;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Longest reply in tokens (default: 256 for a local model, the server's default for a remote one).")
    Integer maxTokens;

    @Option(names = "--quantize", paramLabel = "none|int8",
            description = "Weights of a local model: int8 (llama.cpp's Q8_0 layout; experimental; decodes "
                    + "about 2x faster than float32 on a CPU, prefill the same: see the README); default none (float32).")
    String quantize;

    private final Map<String, String> environment;

    public ModelOptions() {
        this(System.getenv());
    }

    ModelOptions(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The chosen model; says on {@code out} which one it is. */
    public ChatModel chatModel(PrintStream out) {
        Quantization quantization = quantization();
        if (model != null) {
            ChatModel local = LocalModels.load(model, maxTokens(), false, quantization);
            out.println("Using local model at " + model.toAbsolutePath() + describe(quantization));
            return local;
        }
        if (Models.isRemoteConfigured(environment)) {
            if (quantization != Quantization.NONE) {
                throw new UserError("--quantize " + quantize + " applies to a local model, and the remote model "
                        + remoteModelName() + " is configured (OPENAI_API_KEY/OPENAI_BASE_URL); give --model DIR "
                        + "or drop --quantize");
            }
            out.println("Using remote model " + remoteModelName() + " at " + remoteBaseUrl());
            if (maxTokens != null) {
                var builder = Models.openAi().baseUrl(remoteBaseUrl()).modelName(remoteModelName()).maxTokens(maxTokens());
                String key = environment.get(Models.OPENAI_API_KEY);
                return (key == null || key.isBlank() ? builder : builder.apiKey(key.strip())).build();
            }
            return Models.fromEnvironment(environment);
        }
        Path quickstart = LocalModels.defaultCheckpoint();
        if (LocalModels.isCheckpoint(quickstart)) {
            ChatModel local = LocalModels.load(quickstart, maxTokens(), false, quantization);
            out.println("Using local model at " + quickstart + describe(quantization));
            return local;
        }
        if (quantization != Quantization.NONE) {
            throw new UserError("--quantize " + quantize + " needs a local checkpoint: give --model DIR, or run "
                    + "`trellis quickstart` to train the default one");
        }
        // A local model registered through LocalModelProvider (TRELLIS_LOCAL_MODEL), or a message saying how to configure one.
        ChatModel chosen = Models.fromEnvironment(environment);
        if (chosen instanceof LocalChatModel local) {
            out.println("Using local model at " + local.checkpoint());
        }
        return chosen;
    }

    /**
     * Counts tokens for token-limited memories: the model's own tokenizer when it has one, else
     * OpenAI's (exact for OpenAI models, an estimate for other servers).
     */
    public TokenCountEstimator tokenCounter(ChatModel chatModel) {
        if (chatModel instanceof LocalChatModel local) {
            return local.tokenCountEstimator();
        }
        if (chatModel instanceof TokenCountEstimator own) {
            return own;
        }
        try {
            return new OpenAiTokenCountEstimator(remoteModelName());
        } catch (IllegalArgumentException notAnOpenAiModel) {
            return new OpenAiTokenCountEstimator(OpenAiConnectionBuilder.DEFAULT_MODEL_NAME);
        }
    }

    /** Whether the remote model is configured ({@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL}) and no {@code --model} given. */
    public boolean usesRemote() {
        return model == null && Models.isRemoteConfigured(environment);
    }

    /** {@code --quantize}, NONE when it is not given; a value Trellis does not know is the user's mistake. */
    public Quantization quantization() {
        return quantize == null ? Quantization.NONE : Quantization.parse(quantize, "--quantize");
    }

    private static String describe(Quantization quantization) {
        return quantization == Quantization.NONE ? "" : " (" + quantization.flagValue() + " weights)";
    }

    /** {@code --max-tokens}, or the local default when it is not given. */
    int maxTokens() {
        if (maxTokens != null && maxTokens < 1) {
            throw new dev.trellis.framework.models.ModelConfigurationException("--max-tokens " + maxTokens
                    + ": a reply needs at least 1 token; give a positive number");
        }
        return maxTokens != null ? maxTokens : LocalModels.DEFAULT_MAX_TOKENS;
    }

    /** How the remote model is named, for messages. */
    public String describeRemote() {
        return remoteModelName() + " at " + remoteBaseUrl();
    }

    private String remoteModelName() {
        String name = environment.get(Models.TRELLIS_MODEL);
        return name == null || name.isBlank() ? OpenAiConnectionBuilder.DEFAULT_MODEL_NAME : name.strip();
    }

    private String remoteBaseUrl() {
        String url = environment.get(Models.OPENAI_BASE_URL);
        return url == null || url.isBlank() ? OpenAiConnectionBuilder.OPENAI_BASE_URL : url.strip();
    }
}
