package dev.trellis.framework.eval;

import dev.trellis.testing.ScriptedChatModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** LangChain's QA evaluation tests (libs/langchain tests/unit_tests/evaluation/qa/test_eval_chain.py), case for case. */
class QAEvalLangChainCasesTest {

    @Test
    void evalChain() {
        Map<String, Object> example = Map.of("query", "What's my name", "answer", "John Doe");
        Map<String, Object> prediction = Map.of("result", "John Doe");
        QAEvalChain chain = QAEvalChain.fromLlm(ScriptedChatModel.answering(messages -> "foo"));

        QAEvaluation outputs = chain.evaluate(List.of(example, example), List.of(prediction, prediction));

        QAEvaluation.GradedPrediction first = outputs.results().get(0);
        QAEvaluation.GradedPrediction second = outputs.results().get(1);
        assertThat(first.text()).isEqualTo(second.text()).isEqualTo("foo");
        assertThat(first.grade()).isEqualTo(second.grade()).isEqualTo(Grade.UNGRADED);
        assertThat(first.toMap()).containsEntry(chain.outputKey(), "foo");
    }

    @Test
    void returnsExpectedResults() {
        QAEvalChain chain = QAEvalChain.fromLlm(ScriptedChatModel.replying("The meaning of life\nCORRECT"));
        QAEvaluation outputs = chain.evaluate(List.of(Map.of("query", "my input", "answer", "my reference")),
                List.of(Map.of("result", "my prediction")));
        assertThat(outputs.results().get(0).grade()).isEqualTo(Grade.CORRECT);
        assertThat(outputs.correct()).isEqualTo(1);
    }
}
