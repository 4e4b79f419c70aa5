package dev.trellis.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.models.LocalModelProvider;
import dev.trellis.framework.models.ModelConfigurationException;

/**
 * Registers {@link LocalChatModel} as the framework's local default model
 * ({@code Models.fromEnvironment()} picks it when no remote model is configured).
 *
 * <p>Where the checkpoint is looked for, first match wins:
 * <ol>
 *   <li>{@code TRELLIS_LOCAL_MODEL}: a checkpoint directory (it must exist: a set but wrong path
 *       is an error, not a silent fallback);</li>
 *   <li>{@code <trellis home>/models/default}, where the home is the system property
 *       {@code trellis.home}, else {@code TRELLIS_HOME}, else {@code ~/.trellis}.</li>
 * </ol>
 * Registered in {@code META-INF/services/dev.trellis.framework.models.LocalModelProvider}.
 */
public final class LocalChatModelProvider implements LocalModelProvider {

    /** Environment variable naming a checkpoint directory. */
    public static final String TRELLIS_LOCAL_MODEL = "TRELLIS_LOCAL_MODEL";
    /** Environment variable naming Trellis' home directory. */
    public static final String TRELLIS_HOME = "TRELLIS_HOME";
    /** System property naming Trellis' home directory (wins over the environment). */
    public static final String HOME_PROPERTY = "trellis.home";

    private final Map<String, String> environment;
    private final Properties properties;

    /** Reads the process environment and system properties (as ServiceLoader creates it). */
    public LocalChatModelProvider() {
        this(System.getenv(), System.getProperties());
    }

    /** For tests and embedding: the given environment and properties. */
    public LocalChatModelProvider(Map<String, String> environment, Properties properties) {
        this.environment = Map.copyOf(environment);
        this.properties = properties;
    }

    /** The checkpoint directory this provider would load. */
    public Path checkpoint() {
        String explicit = environment.get(TRELLIS_LOCAL_MODEL);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String home = properties.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            home = environment.get(TRELLIS_HOME);
        }
        Path base = home == null || home.isBlank() ? Path.of(System.getProperty("user.home"), ".trellis") : Path.of(home);
        return base.resolve("models").resolve("default");
    }

    @Override
    public String name() {
        return "trellis-finetune (" + checkpoint() + ")";
    }

    @Override
    public boolean isAvailable() {
        String explicit = environment.get(TRELLIS_LOCAL_MODEL);
        // An explicit path is "available" so that create() reports what is wrong with it.
        return (explicit != null && !explicit.isBlank()) || Files.isRegularFile(checkpoint().resolve("config.json"));
    }

    @Override
    public ChatModel create() {
        Path dir = checkpoint();
        if (!Files.isDirectory(dir)) {
            throw new ModelConfigurationException(TRELLIS_LOCAL_MODEL + " points to " + dir
                    + ", which is not a directory; set it to a checkpoint directory (config.json, model.safetensors, "
                    + "tokenizer.json) or unset it to use " + HOME_PROPERTY + "/models/default");
        }
        return LocalChatModel.builder().checkpoint(dir).build();
    }

    @Override
    public int priority() {
        return 10;
    }
}
