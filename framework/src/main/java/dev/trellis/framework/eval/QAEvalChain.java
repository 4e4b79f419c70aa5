package dev.trellis.framework.eval;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.LlmChain;
import dev.trellis.framework.prompts.BasePromptTemplate;
import dev.trellis.framework.prompts.PromptTemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Grades predictions against reference answers with a teacher model, like LangChain's
 * {@code QAEvalChain}: inputs {@code query}, {@code answer} and {@code result}, output
 * {@code text} (the grader's verbatim answer), and {@link #evaluate} to grade a whole list.
 *
 * <pre>{@code
 * QAEvalChain evalChain = QAEvalChain.fromLlm(llm);
 * QAEvaluation graded = evalChain.evaluate(examples, predictions);
 * graded.results().get(0).text();   // "GRADE: CORRECT"
 * graded.correct();                  // how many were right
 * }</pre>
 *
 * <p>Grades are read by {@link Grade#parse}: an answer that says neither CORRECT nor INCORRECT
 * where a grade is looked for is reported as {@link Grade#UNGRADED}, never guessed.
 */
public final class QAEvalChain extends LlmChain {

    public static final String QUERY_KEY = "query";
    public static final String ANSWER_KEY = "answer";
    public static final String RESULT_KEY = "result";

    /** Our teacher-grading prompt, in the spirit of LangChain's. */
    public static final String TEMPLATE = """
            You are a teacher grading a quiz.
            You are given a question, the true answer and a student's answer. Decide whether the student's \
            answer is CORRECT or INCORRECT.

            Judge factual accuracy only, against the true answer. Ignore differences in wording, punctuation \
            and length; extra information is fine as long as nothing in it contradicts the true answer.

            Reply in exactly this format:
            GRADE: CORRECT or INCORRECT

            QUESTION: {query}
            TRUE ANSWER: {answer}
            STUDENT ANSWER: {result}
            GRADE:""";

    /** The default prompt, {@link #TEMPLATE}. */
    public static final PromptTemplate PROMPT = PromptTemplate.fromTemplate("qa_eval", TEMPLATE);

    private QAEvalChain(LlmChain.Builder builder) {
        super(builder);
    }

    /** A grader with the default prompt (LangChain's {@code QAEvalChain.from_llm(llm)}). */
    public static QAEvalChain fromLlm(ChatModel llm) {
        return fromLlm(llm, PROMPT);
    }

    /** A grader with a prompt of your own; it must read exactly {@code query}, {@code answer} and {@code result}. */
    public static QAEvalChain fromLlm(ChatModel llm, BasePromptTemplate prompt) {
        Objects.requireNonNull(prompt, "prompt");
        if (!Set.copyOf(prompt.inputVariables()).equals(Set.of(QUERY_KEY, ANSWER_KEY, RESULT_KEY))) {
            throw new IllegalArgumentException("QAEvalChain prompt '" + prompt.name()
                    + "' must have the input variables [query, answer, result]; it has " + prompt.inputVariables());
        }
        return new QAEvalChain(LlmChain.builder().llm(llm).prompt(prompt).name("QAEvalChain"));
    }

    /** Grades with LangChain's default keys: {@code query}, {@code answer} and {@code result}. */
    public QAEvaluation evaluate(List<? extends Map<String, ?>> examples, List<? extends Map<String, ?>> predictions) {
        return evaluate(examples, predictions, QUERY_KEY, ANSWER_KEY, RESULT_KEY);
    }

    /**
     * Grades each prediction against the example at the same position.
     *
     * @param examples      maps holding the question and the reference answer
     * @param predictions   maps holding the prediction (a QA chain's outputs, typically)
     * @param questionKey   key of the question in {@code examples}
     * @param answerKey     key of the reference answer in {@code examples}
     * @param predictionKey key of the prediction in {@code predictions}
     */
    public QAEvaluation evaluate(List<? extends Map<String, ?>> examples, List<? extends Map<String, ?>> predictions,
                                 String questionKey, String answerKey, String predictionKey) {
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(predictions, "predictions");
        if (examples.size() != predictions.size()) {
            throw new IllegalArgumentException("evaluate needs one prediction per example; got " + examples.size()
                    + " examples and " + predictions.size() + " predictions");
        }
        List<QAEvaluation.GradedPrediction> results = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            String query = value(examples.get(i), questionKey, "example", i);
            String answer = value(examples.get(i), answerKey, "example", i);
            String prediction = value(predictions.get(i), predictionKey, "prediction", i);
            Map<String, Object> inputs = new LinkedHashMap<>(4);
            inputs.put(QUERY_KEY, query);
            inputs.put(ANSWER_KEY, answer);
            inputs.put(RESULT_KEY, prediction);
            String text = predict(inputs);
            results.add(new QAEvaluation.GradedPrediction(i, query, answer, prediction, text, Grade.parse(text)));
        }
        return new QAEvaluation(results);
    }

    private static String value(Map<String, ?> map, String key, String what, int index) {
        if (map == null) {
            throw new IllegalArgumentException(what + " " + index + " is null");
        }
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException(what + " " + index + " has no value for key '" + key + "'; its keys are "
                    + map.keySet() + " (pass the right questionKey/answerKey/predictionKey)");
        }
        return String.valueOf(value);
    }
}
