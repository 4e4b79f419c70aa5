package dev.trellis.framework.models;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds langchain4j's {@link OpenAiStreamingChatModel} with the same settings as
 * {@link OpenAiModelBuilder}. A streaming call is retried only until the server accepts it;
 * once tokens flow, a failure goes to the handler's {@code onError}. The timeout bounds the wait
 * for the response to start, not the length of the stream.
 */
public final class OpenAiStreamingModelBuilder extends OpenAiConnectionBuilder<OpenAiStreamingModelBuilder> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiStreamingModelBuilder.class);

    OpenAiStreamingModelBuilder() {
    }

    public StreamingChatModel build() {
        RetryingHttpClientBuilder http = httpClientBuilder();
        OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder builder = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(http)
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName(modelName)
                .temperature(temperature)
                .maxTokens(maxTokens);
        LOG.debug("built {}", this);
        return builder.build();
    }
}
