package dev.trellis.finetune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The architecture hyper-parameters of a causal language model, as a Hugging Face {@code config.json}
 * holds them. Each architecture has its own record ({@link GptNeoX.Config}, {@link Gpt2.Config},
 * {@link Llama.Config}); {@link #fromJson} picks one by {@code model_type}.
 */
public sealed interface ModelConfig permits GptNeoX.Config, Gpt2.Config, Llama.Config {

    ObjectMapper JSON = new ObjectMapper();

    /** The {@code model_type} transformers uses: gpt_neox, gpt2, llama, qwen2 or mistral. */
    String modelType();

    int vocabSize();

    int hiddenSize();

    int numHiddenLayers();

    int numAttentionHeads();

    /** The context length the model was built for. */
    int maxPositionEmbeddings();

    /** Whether the output projection shares the input embedding matrix. */
    boolean tieWordEmbeddings();

    /** Beginning-of-sequence token id, or null. */
    Integer bosTokenId();

    /** End-of-sequence token id, or null. */
    Integer eosTokenId();

    /** {@code config.json} as transformers writes it for this model type. */
    ObjectNode toJson();

    /** Parses a config.json tree; the architecture comes from {@code model_type}. */
    static ModelConfig fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new CheckpointException("a model config must be a JSON object; got " + json);
        }
        String type = json.path("model_type").asText("");
        return switch (type) {
            case "gpt_neox" -> GptNeoX.Config.fromJson(json);
            case "gpt2" -> Gpt2.Config.fromJson(json);
            case "llama", "qwen2", "mistral" -> Llama.Config.fromJson(json);
            case "" -> throw new CheckpointException("config has no 'model_type'; Trellis needs one of "
                    + "gpt_neox, gpt2, llama, qwen2, mistral");
            default -> throw new CheckpointException("model_type '" + type + "' is not supported; Trellis implements "
                    + "gpt_neox (Pythia), gpt2, llama, qwen2 and mistral (SmolLM is llama)");
        };
    }

    /** Parses config.json fields given as a map (handy for building a model in code). */
    static ModelConfig fromMap(Map<String, ?> fields) {
        return fromJson(JSON.valueToTree(fields));
    }

    /** Reads and parses a {@code config.json} file. */
    static ModelConfig read(Path configJson) {
        try {
            return fromJson(JSON.readTree(Files.readString(configJson)));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(configJson + " does not exist; a Hugging Face checkpoint directory needs a config.json");
        } catch (IOException e) {
            throw new CheckpointException(configJson + " is not valid JSON: " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw new CheckpointException(configJson + ": " + e.getMessage(), e);
        }
    }
}
