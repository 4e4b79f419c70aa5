package dev.trellis.framework.eval;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.parsers.OutputParserException;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes question/answer examples from documents with a model, like LangChain's
 * {@code QAGenerateChain}: input key {@code doc}, output key {@code qa_pairs} holding a
 * {@link QAExample}. The model is asked for a JSON object with {@code query} and {@code answer}.
 *
 * <pre>{@code
 * QAGenerateChain generator = QAGenerateChain.fromLlm(llm);
 * QAGenerateChain.Result generated = generator.applyAndParse(documents.subList(0, 5));
 * List<QAExample> examples = generated.examples();   // documents whose answer could not be read are in generated.skipped()
 * }</pre>
 *
 * <p>{@code call(Map)} on one document throws {@link OutputParserException} (quoting the
 * model's text) when the answer is not such an object; {@link #applyAndParse(List)} skips those
 * documents and reports them instead, so one bad answer does not lose a batch.
 */
public final class QAGenerateChain extends LlmChain {

    public static final String INPUT_KEY = "doc";
    public static final String OUTPUT_KEY = "qa_pairs";

    private static final Logger LOG = LoggerFactory.getLogger(QAGenerateChain.class);

    /** Our prompt in the spirit of LangChain's: a teacher writing one quiz question per document. */
    public static final String TEMPLATE = """
            You are a teacher writing questions for a quiz.
            Read the document below and write one question that can be answered from it, together with \
            its correct answer. The question must be specific and rely only on facts stated in the document; \
            the answer must be short and complete.

            Reply with a single JSON object and nothing else, in this format:
            {{"query": "the question", "answer": "the answer"}}

            <Begin Document>
            {doc}
            <End Document>""";

    /** The default prompt, {@link #TEMPLATE}. */
    public static final PromptTemplate PROMPT = PromptTemplate.fromTemplate("qa_generate", TEMPLATE);

    private QAGenerateChain(LlmChain.Builder builder) {
        super(builder);
    }

    /** A generator with the default prompt (LangChain's {@code QAGenerateChain.from_llm(llm)}). */
    public static QAGenerateChain fromLlm(ChatModel llm) {
        return fromLlm(llm, PROMPT);
    }

    /** A generator with a prompt of your own; it must read {@code {doc}} and ask for the same JSON. */
    public static QAGenerateChain fromLlm(ChatModel llm, BasePromptTemplate prompt) {
        Objects.requireNonNull(prompt, "prompt");
        if (!prompt.inputVariables().equals(List.of(INPUT_KEY))) {
            throw new IllegalArgumentException("QAGenerateChain prompt '" + prompt.name()
                    + "' must have exactly the input variable [doc]; it has " + prompt.inputVariables());
        }
        return new QAGenerateChain(LlmChain.builder().llm(llm).prompt(prompt).outputKey(OUTPUT_KEY)
                .outputParser(QAGenerationParser.INSTANCE).name("QAGenerateChain"));
    }

    /** One example from one document text; throws {@link OutputParserException} if the answer is unreadable. */
    public QAExample generate(String documentText) {
        Objects.requireNonNull(documentText, "documentText");
        return (QAExample) call(Map.of(INPUT_KEY, documentText)).get(OUTPUT_KEY);
    }

    /**
     * One example per document, in order (LangChain's {@code apply_and_parse}). Documents whose
     * answer cannot be parsed are left out and listed in {@link Result#skipped()}; any other
     * failure (the model is unreachable, say) is thrown.
     */
    public Result applyAndParse(List<Document> documents) {
        Objects.requireNonNull(documents, "documents");
        List<QAExample> examples = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Document document = Objects.requireNonNull(documents.get(i), () -> "documents contains null");
            try {
                examples.add(generate(document.text()));
            } catch (OutputParserException e) {
                LOG.warn("QAGenerateChain skipped document {}: {}", i, firstLine(e.getMessage()));
                skipped.add(new Skipped(i, document, e.llmOutput(), e.getMessage()));
            }
        }
        return new Result(examples, skipped);
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** What {@link #applyAndParse(List)} produced: the examples, and the documents it had to skip. */
    public record Result(List<QAExample> examples, List<Skipped> skipped) {
        public Result {
            examples = List.copyOf(examples);
            skipped = List.copyOf(skipped);
        }

        /** The examples as maps with {@code query} and {@code answer}, ready for a QA chain's {@code apply}. */
        public List<Map<String, Object>> exampleMaps() {
            return examples.stream().map(QAExample::toMap).toList();
        }
    }

    /**
     * A document whose answer could not be read.
     *
     * @param index     its position in the list given to {@code applyAndParse}
     * @param document  the document
     * @param llmOutput the model's answer, verbatim
     * @param reason    what was wrong with it
     */
    public record Skipped(int index, Document document, String llmOutput, String reason) {
    }
}
