package dev.trellis.samples;

import java.nio.file.Path;

/**
 * Where the {@code trellis} command keeps what outlives one run: conversations, indexes, models.
 *
 * <p>The system property {@value #PROPERTY} wins, then the environment variable {@value #VARIABLE},
 * then {@code ~/.trellis}.
 */
public final class TrellisHome {

    public static final String PROPERTY = "trellis.home";
    public static final String VARIABLE = "TRELLIS_HOME";

    private TrellisHome() {
    }

    /** The home directory (not created here: commands create what they write). */
    public static Path directory() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property.strip()).toAbsolutePath();
        }
        String variable = System.getenv(VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable.strip()).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".trellis");
    }

    /** Chat sessions of {@code trellis chat}, one JSON file each. */
    public static Path conversations() {
        return directory().resolve("conversations");
    }

    /** Local model checkpoints; {@code models/default} is the one used without {@code --model}. */
    public static Path models() {
        return directory().resolve("models");
    }

    /** Lucene indexes built by {@code trellis qa} and {@code trellis quickstart}. */
    public static Path indexes() {
        return directory().resolve("indexes");
    }
}
