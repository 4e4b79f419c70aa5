package dev.trellis.framework.eval;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.Chain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * <p>{@code call(Map)} on one document throws {@link QAOutputException} (quoting the model's
 * text) when the answer is not such an object; {@link #applyAndParse(List)} skips those
 * documents and reports them instead, so one bad answer does not lose a batch.
 */
public final class QAGenerateChain implements Chain {

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
            {"query": "the question", "answer": "the answer"}

            <Begin Document>
            {doc}
            <End Document>""";

    private final ChatModel llm;
    private final String template;

    private QAGenerateChain(ChatModel llm, String template) {
        this.llm = Objects.requireNonNull(llm, "llm");
        this.template = template;
    }

    /** A generator with the default prompt (LangChain's {@code QAGenerateChain.from_llm(llm)}). */
    public static QAGenerateChain fromLlm(ChatModel llm) {
        return fromLlm(llm, TEMPLATE);
    }

    /** A generator with a prompt of your own; it must contain {@code {doc}} and ask for the same JSON. */
    public static QAGenerateChain fromLlm(ChatModel llm, String template) {
        Objects.requireNonNull(template, "template");
        if (!template.contains("{" + INPUT_KEY + "}")) {
            throw new IllegalArgumentException("QAGenerateChain prompt must contain the variable {doc}; got: " + template);
        }
        return new QAGenerateChain(llm, template);
    }

    @Override
    public List<String> inputKeys() {
        return List.of(INPUT_KEY);
    }

    @Override
    public List<String> outputKeys() {
        return List.of(OUTPUT_KEY);
    }

    @Override
    public Map<String, Object> call(Map<String, Object> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        Object doc = inputs.get(INPUT_KEY);
        if (doc == null) {
            throw new IllegalArgumentException("QAGenerateChain needs input key 'doc'; given: " + inputs.keySet());
        }
        Map<String, Object> out = new LinkedHashMap<>(inputs);
        out.put(OUTPUT_KEY, QAGenerationParser.INSTANCE.parse(complete(String.valueOf(doc))));
        return out;
    }

    // The one place the model is called; it becomes an LlmChain + PromptTemplate once those exist.
    private String complete(String doc) {
        String text = llm.chat(template.replace("{" + INPUT_KEY + "}", doc));
        if (text == null) {
            throw new IllegalStateException("QAGenerateChain: the model returned no text");
        }
        return text;
    }

    /** One example from one document text; throws {@link QAOutputException} if the answer is unreadable. */
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
            } catch (QAOutputException e) {
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
