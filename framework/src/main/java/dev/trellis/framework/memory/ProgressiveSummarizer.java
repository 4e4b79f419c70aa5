package dev.trellis.framework.memory;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Folds conversation lines into a running summary with one model call (LangChain's
 * {@code predict_new_summary}): the prompt holds the current summary and the new lines and asks
 * for the new summary. Shared by the two summarizing memories.
 */
final class ProgressiveSummarizer {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressiveSummarizer.class);

    static final String SUMMARY = "{summary}";
    static final String NEW_LINES = "{new_lines}";

    /** Our wording of the progressive-summary prompt, with one worked example. */
    static final String DEFAULT_PROMPT = """
            You keep a running summary of a conversation between a human and an AI.
            Extend the current summary with the new lines of conversation and reply with the new \
            summary only. Keep every fact, name, time and promise that may matter later, drop small \
            talk, and write in the third person.

            Example
            Current summary:
            The human is planning a trip to Lisbon in May.

            New lines of conversation:
            Human: Should I rent a car there?
            AI: Not for the city centre, where trams and the metro are easier, but a car helps for day trips to Sintra.

            New summary:
            The human is planning a trip to Lisbon in May. The AI advises against a car in the city \
            centre, where public transport is easier, but suggests one for day trips such as Sintra.
            End of example

            Current summary:
            {summary}

            New lines of conversation:
            {new_lines}

            New summary:""";

    private final ChatModel model;
    private final String prompt;
    private final String humanPrefix;
    private final String aiPrefix;

    ProgressiveSummarizer(ChatModel model, String prompt, String humanPrefix, String aiPrefix) {
        this.model = Objects.requireNonNull(model, "chatModel");
        this.prompt = checkPrompt(prompt);
        this.humanPrefix = humanPrefix;
        this.aiPrefix = aiPrefix;
    }

    /** The new summary: {@code existingSummary} extended with {@code newLines}. */
    String predictNewSummary(List<ChatMessage> newLines, String existingSummary) {
        String lines = ChatTranscript.bufferString(newLines, humanPrefix, aiPrefix);
        String text = model.chat(UserMessage.from(format(existingSummary, lines))).aiMessage().text();
        if (text == null || text.isBlank()) {
            throw new IllegalStateException("the summarizing model returned an empty summary for "
                    + newLines.size() + " new messages; the previous summary and the messages were kept, "
                    + "the next turn retries");
        }
        return text.strip();
    }

    /** One pass over the template, so a '{new_lines}' inside the summary is not substituted again. */
    String format(String summary, String newLines) {
        StringBuilder out = new StringBuilder(prompt.length() + summary.length() + newLines.length());
        int i = 0;
        while (i < prompt.length()) {
            if (prompt.startsWith(SUMMARY, i)) {
                out.append(summary);
                i += SUMMARY.length();
            } else if (prompt.startsWith(NEW_LINES, i)) {
                out.append(newLines);
                i += NEW_LINES.length();
            } else {
                out.append(prompt.charAt(i++));
            }
        }
        return out.toString();
    }

    static String checkPrompt(String prompt) {
        if (prompt == null || !prompt.contains(SUMMARY) || !prompt.contains(NEW_LINES)) {
            throw new IllegalArgumentException("a summary prompt must contain the placeholders " + SUMMARY
                    + " and " + NEW_LINES + "; got: " + (prompt == null ? "null" : "'" + prompt + "'"));
        }
        return prompt;
    }

    /**
     * The estimator to count a summarizing memory's tokens with: the one given, else the model
     * itself when it can count (local models do), else jtokkit for a model name jtokkit knows,
     * else (as LangChain falls back to GPT-2's tokenizer) an approximate GPT-2 count, with a
     * logged warning.
     */
    static TokenCountEstimator estimatorFor(ChatModel model, TokenCountEstimator given, String memoryName) {
        if (given != null) {
            return given;
        }
        if (model instanceof TokenCountEstimator counting) {
            return counting;
        }
        String what;
        if (model instanceof OpenAiChatModel openAi) {
            String modelName = openAi.defaultRequestParameters().modelName();
            try {
                return new OpenAiTokenCountEstimator(modelName);
            } catch (IllegalArgumentException unknown) {
                what = "model '" + modelName + "' (jtokkit has no tokenizer for it)";
            }
        } else {
            what = model.getClass().getName() + " (it cannot count tokens)";
        }
        LOG.warn("{}: no tokenizer for {}; counting tokens approximately with GPT-2's, as LangChain does. "
                + "Set tokenCountEstimator(...) to the model's tokenizer for exact counts", memoryName, what);
        return ApproximateTokenCountEstimator.GPT2;
    }
}
