package dev.trellis.framework.models;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds langchain4j's {@link OpenAiChatModel} for OpenAI or any OpenAI-compatible server, with
 * Trellis' {@link RetryingHttpClient} underneath (Retry-After honoured, clear errors):
 * <pre>{@code
 * ChatModel llm = Models.openAi()
 *     .baseUrl("http://localhost:11434/v1")
 *     .modelName("llama3.2")
 *     .temperature(0.0)
 *     .build();
 * }</pre>
 */
public final class OpenAiModelBuilder extends OpenAiConnectionBuilder<OpenAiModelBuilder> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiModelBuilder.class);

    OpenAiModelBuilder() {
    }

    public ChatModel build() {
        RetryingHttpClientBuilder http = httpClientBuilder();
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(http)
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName(modelName)
                .temperature(temperature)
                .maxTokens(maxTokens)
                // Retrying happens per HTTP attempt in RetryingHttpClient, where Retry-After is visible.
                .maxRetries(0);
        LOG.debug("built {}", this);
        return builder.build();
    }
}
