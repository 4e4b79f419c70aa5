package dev.trellis.framework.eval;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.framework.chains.Chain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
public final class QAEvalChain implements Chain {

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

    /** LangChain's LLMChain output key, which the course reads ({@code graded_outputs[i]["text"]}). */
    public static final String OUTPUT_KEY = "text";

    private final ChatModel llm;
    private final String template;

    private QAEvalChain(ChatModel llm, String template) {
        this.llm = Objects.requireNonNull(llm, "llm");
        this.template = template;
    }

    /** A grader with the default prompt (LangChain's {@code QAEvalChain.from_llm(llm)}). */
    public static QAEvalChain fromLlm(ChatModel llm) {
        return fromLlm(llm, TEMPLATE);
    }

    /** A grader with a prompt of your own; it must contain {@code {query}}, {@code {answer}} and {@code {result}}. */
    public static QAEvalChain fromLlm(ChatModel llm, String template) {
        Objects.requireNonNull(template, "template");
        for (String key : List.of(QUERY_KEY, ANSWER_KEY, RESULT_KEY)) {
            if (!template.contains("{" + key + "}")) {
                throw new IllegalArgumentException("QAEvalChain prompt must contain the variables [query, answer, result];"
                        + " {" + key + "} is missing from: " + template);
            }
        }
        return new QAEvalChain(llm, template);
    }

    @Override
    public List<String> inputKeys() {
        return List.of(QUERY_KEY, ANSWER_KEY, RESULT_KEY);
    }

    @Override
    public List<String> outputKeys() {
        return List.of(OUTPUT_KEY);
    }

    @Override
    public Map<String, Object> call(Map<String, Object> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        for (String key : inputKeys()) {
            if (inputs.get(key) == null) {
                throw new IllegalArgumentException("QAEvalChain needs input keys " + inputKeys() + "; '" + key
                        + "' is missing from " + inputs.keySet());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>(inputs);
        out.put(OUTPUT_KEY, complete(inputs));
        return out;
    }

    /** Calls the chain once per input map, in order (LangChain's {@code chain.apply(list)}). */
    public List<Map<String, Object>> apply(List<? extends Map<String, Object>> inputList) {
        List<Map<String, Object>> results = new ArrayList<>(inputList.size());
        for (Map<String, Object> inputs : inputList) {
            results.add(call(inputs));
        }
        return results;
    }

    // The one place the model is called; it becomes an LlmChain + PromptTemplate once those exist.
    // Values are substituted in one pass so a value containing "{answer}" is not expanded again.
    private String complete(Map<String, Object> inputs) {
        StringBuilder prompt = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(query|answer|result)\\}").matcher(template);
        while (m.find()) {
            m.appendReplacement(prompt, java.util.regex.Matcher.quoteReplacement(String.valueOf(inputs.get(m.group(1)))));
        }
        m.appendTail(prompt);
        String text = llm.chat(prompt.toString());
        if (text == null) {
            throw new IllegalStateException("QAEvalChain: the model returned no text");
        }
        return text;
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
            String text = (String) call(inputs).get(OUTPUT_KEY);
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
