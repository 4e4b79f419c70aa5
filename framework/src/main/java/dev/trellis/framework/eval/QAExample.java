package dev.trellis.framework.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A question and its reference answer, as LangChain's evaluation examples
 * ({@code {"query": ..., "answer": ...}}).
 */
public record QAExample(String query, String answer) {

    public static final String QUERY_KEY = "query";
    public static final String ANSWER_KEY = "answer";

    public QAExample {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(answer, "answer");
    }

    /** The example as chain inputs: {@code query} and {@code answer}, e.g. for {@code RetrievalQA.apply}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>(4);
        map.put(QUERY_KEY, query);
        map.put(ANSWER_KEY, answer);
        return map;
    }
}
