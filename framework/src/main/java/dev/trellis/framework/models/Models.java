package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Entry point to chat models: builders for OpenAI-compatible servers and the
 * environment-driven choice the samples use.
 *
 * <p>{@link #fromEnvironment()} reads:
 * <ul>
 *   <li>{@value #OPENAI_API_KEY}: the key; with it alone, OpenAI itself is used;</li>
 *   <li>{@value #OPENAI_BASE_URL}: an OpenAI-compatible server (Ollama, vLLM, LM Studio,
 *       {@code trellis serve}); allowed without a key;</li>
 *   <li>{@value #TRELLIS_MODEL}: the model name, default {@value OpenAiConnectionBuilder#DEFAULT_MODEL_NAME}.</li>
 * </ul>
 * With neither the key nor the base URL set it falls back to a local model registered through
 * {@link LocalModelProvider}, and otherwise throws {@link NoModelConfiguredException}.
 */
public final class Models {

    public static final String OPENAI_API_KEY = "OPENAI_API_KEY";
    public static final String OPENAI_BASE_URL = "OPENAI_BASE_URL";
    public static final String TRELLIS_MODEL = "TRELLIS_MODEL";

    private static final Logger LOG = LoggerFactory.getLogger(Models.class);

    private Models() {
    }

    /** A builder for a blocking chat model on OpenAI or an OpenAI-compatible server. */
    public static OpenAiModelBuilder openAi() {
        return new OpenAiModelBuilder();
    }

    /** A builder for a streaming chat model on OpenAI or an OpenAI-compatible server. */
    public static OpenAiStreamingModelBuilder openAiStreaming() {
        return new OpenAiStreamingModelBuilder();
    }

    /** The model the process environment configures; see the class comment. */
    public static ChatModel fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** As {@link #fromEnvironment()}, reading the variables from {@code environment} instead. */
    public static ChatModel fromEnvironment(Map<String, String> environment) {
        return fromEnvironment(environment, ServiceLoader.load(LocalModelProvider.class, classLoader()));
    }

    /** As {@link #fromEnvironment(Map)}, choosing among the given local providers. */
    public static ChatModel fromEnvironment(Map<String, String> environment, Iterable<LocalModelProvider> localProviders) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(localProviders, "localProviders");
        if (isRemoteConfigured(environment)) {
            OpenAiModelBuilder builder = configure(openAi(), environment);
            LOG.info("Using remote model '{}' at {} (base URL from {}, API key {})", builder.modelName(),
                    builder.baseUrl(), value(environment, OPENAI_BASE_URL) == null ? "the OpenAI default" : OPENAI_BASE_URL,
                    builder.hasApiKey() ? "from " + OPENAI_API_KEY : "none");
            return builder.build();
        }
        List<LocalModelProvider> available = availableProviders(localProviders);
        if (!available.isEmpty()) {
            LocalModelProvider chosen = available.get(0);
            LOG.info("Using local model from {} ({} and {} are not set){}", chosen.name(), OPENAI_API_KEY, OPENAI_BASE_URL,
                    available.size() > 1 ? "; also available: " + available.subList(1, available.size())
                            .stream().map(LocalModelProvider::name).toList() : "");
            ChatModel model = chosen.create();
            if (model == null) {
                throw new IllegalStateException("local model provider " + chosen.name() + " returned no model from create()");
            }
            return model;
        }
        throw new NoModelConfiguredException(noModelMessage(localProviders));
    }

    /** The streaming model the process environment configures; remote servers only. */
    public static StreamingChatModel streamingFromEnvironment() {
        return streamingFromEnvironment(System.getenv());
    }

    /** As {@link #streamingFromEnvironment()}, reading the variables from {@code environment}. */
    public static StreamingChatModel streamingFromEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        if (!isRemoteConfigured(environment)) {
            throw new NoModelConfiguredException("No streaming model is configured: set " + OPENAI_API_KEY
                    + " (OpenAI) or " + OPENAI_BASE_URL + " (an OpenAI-compatible server such as Ollama, vLLM or"
                    + " `trellis serve`), and optionally " + TRELLIS_MODEL + " for the model name.");
        }
        OpenAiStreamingModelBuilder builder = configure(openAiStreaming(), environment);
        LOG.info("Using remote streaming model '{}' at {}", builder.modelName(), builder.baseUrl());
        return builder.build();
    }

    /** Whether the environment names a remote server (a key, a base URL, or both). */
    public static boolean isRemoteConfigured(Map<String, String> environment) {
        return value(environment, OPENAI_API_KEY) != null || value(environment, OPENAI_BASE_URL) != null;
    }

    private static <B extends OpenAiConnectionBuilder<B>> B configure(B builder, Map<String, String> environment) {
        String baseUrl = value(environment, OPENAI_BASE_URL);
        if (baseUrl != null) {
            builder.baseUrl(OpenAiConnectionBuilder.validBaseUrl(baseUrl, OPENAI_BASE_URL));
        }
        builder.apiKey(value(environment, OPENAI_API_KEY));
        String model = value(environment, TRELLIS_MODEL);
        if (model != null) {
            builder.modelName(model);
        } else if (baseUrl != null && !OpenAiConnectionBuilder.isOpenAi(builder.baseUrl())) {
            LOG.warn("{} is not set; asking {} for '{}', which a local server may not serve (set {})",
                    TRELLIS_MODEL, builder.baseUrl(), builder.modelName(), TRELLIS_MODEL);
        }
        return builder;
    }

    private static List<LocalModelProvider> availableProviders(Iterable<LocalModelProvider> providers) {
        List<LocalModelProvider> available = new ArrayList<>();
        try {
            for (LocalModelProvider provider : providers) {
                if (provider.isAvailable()) {
                    available.add(provider);
                } else {
                    LOG.debug("local model provider {} is not available", provider.name());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new ModelConfigurationException("a LocalModelProvider registered in META-INF/services"
                    + " could not be loaded: " + e.getMessage());
        }
        available.sort(Comparator.comparingInt(LocalModelProvider::priority).reversed()
                .thenComparing(LocalModelProvider::name));
        return available;
    }

    private static String noModelMessage(Iterable<LocalModelProvider> providers) {
        List<String> unavailable = new ArrayList<>();
        for (LocalModelProvider provider : providers) {
            unavailable.add(provider.name());
        }
        return "No chat model is configured. Either point Trellis at an OpenAI-compatible server:\n"
                + "  export " + OPENAI_API_KEY + "=sk-...                      # OpenAI\n"
                + "  export " + OPENAI_BASE_URL + "=http://localhost:11434/v1   # or Ollama, vLLM, LM Studio, `trellis serve`"
                + " (no key needed)\n"
                + "  export " + TRELLIS_MODEL + "=gpt-4o-mini                   # optional model name\n"
                + "or train a local model: `trellis quickstart` (or `trellis finetune train`) and put"
                + " trellis-finetune on the classpath.\n"
                + (unavailable.isEmpty() ? "No local model provider is on the classpath."
                : "Local model providers found but without a model: " + unavailable + ".");
    }

    private static String value(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Models.class.getClassLoader();
    }
}
