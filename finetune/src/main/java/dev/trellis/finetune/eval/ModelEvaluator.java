package dev.trellis.finetune.eval;

import dev.trellis.framework.eval.Bleu;
import dev.trellis.framework.eval.ExactMatch;
import dev.trellis.framework.eval.RougeScore;
import dev.trellis.framework.eval.RougeScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates an {@link Answerer} over a test set with the framework's metrics: exact match
 * ({@link ExactMatch}, lenient normalisation by default), ROUGE-1/2/L F-measures
 * ({@link RougeScorer}), sentence and corpus BLEU ({@link Bleu}), plus the {@link ErrorAnalyzer}'s
 * error counts.
 *
 * <pre>{@code
 * EvaluationResult r = ModelEvaluator.builder().build()
 *         .evaluate("finetuned", question -> generator.answer(question), EvaluationExample.of(split.test()));
 * }</pre>
 */
public final class ModelEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(ModelEvaluator.class);

    private final ExactMatch.Normalization normalization;
    private final ErrorAnalyzer errorRules;
    private final List<String> extraVocabulary;
    private final Consumer<EvaluationRow> onRow;
    private final RougeScorer rouge = RougeScorer.of("rouge1", "rouge2", RougeScorer.ROUGE_L);

    private ModelEvaluator(Builder b) {
        this.normalization = b.normalization;
        this.errorRules = b.errorRules;
        this.extraVocabulary = List.copyOf(b.extraVocabulary);
        this.onRow = b.onRow;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Asks {@code answerer} every question in order and scores each answer against its reference.
     * An answerer that throws fails the evaluation with the example's id in the message.
     */
    public EvaluationResult evaluate(String modelName, Answerer answerer, List<EvaluationExample> examples) {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(answerer, "answerer");
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: the test set for '" + modelName
                    + "' is empty; give at least one example (is the test split size 0?)");
        }
        List<String> vocabularyTexts = new ArrayList<>(extraVocabulary);
        for (EvaluationExample e : examples) {
            vocabularyTexts.add(e.question());
            vocabularyTexts.add(e.reference());
        }
        ErrorAnalyzer analyzer = errorRules.withVocabularyFrom(vocabularyTexts);
        List<EvaluationRow> rows = new ArrayList<>(examples.size());
        List<String> predictions = new ArrayList<>(examples.size());
        List<String> references = new ArrayList<>(examples.size());
        long start = System.nanoTime();
        for (EvaluationExample e : examples) {
            String prediction;
            try {
                prediction = Objects.requireNonNull(answerer.answer(e.question()), "answerer returned null");
            } catch (RuntimeException ex) {
                throw new EvaluationException("model '" + modelName + "' failed to answer example " + e.id()
                        + ": " + ex.getMessage(), ex);
            }
            Map<String, RougeScore> r = rouge.score(e.reference(), prediction);
            EvaluationRow row = new EvaluationRow(e, prediction,
                    ExactMatch.matches(prediction, e.reference(), normalization),
                    r.get("rouge1").fmeasure(), r.get("rouge2").fmeasure(), r.get(RougeScorer.ROUGE_L).fmeasure(),
                    Bleu.sentenceBleu(prediction, List.of(e.reference())).score(),
                    analyzer.analyze(prediction, e.reference()));
            rows.add(row);
            predictions.add(prediction);
            references.add(e.reference());
            onRow.accept(row);
            if (rows.size() % 25 == 0) {
                LOG.info("evaluated {}/{} examples of '{}' ({} s)", rows.size(), examples.size(), modelName,
                        (System.nanoTime() - start) / 1_000_000_000);
            }
        }
        double bleu = Bleu.corpusBleu(predictions, references).score();
        return new EvaluationResult(modelName, rows, bleu, analyzer.rules());
    }

    /**
     * Evaluates two models on the same questions, for the side-by-side table the course prints
     * after finetuning.
     */
    public ModelComparison compare(String baseName, Answerer base, String finetunedName, Answerer finetuned,
                                   List<EvaluationExample> examples) {
        return new ModelComparison(evaluate(baseName, base, examples), evaluate(finetunedName, finetuned, examples));
    }

    /** Options; every one has a default. */
    public static final class Builder {
        private ExactMatch.Normalization normalization = ExactMatch.Normalization.LENIENT;
        private ErrorAnalyzer errorRules = ErrorAnalyzer.builder().build();
        private final List<String> extraVocabulary = new ArrayList<>();
        private Consumer<EvaluationRow> onRow = row -> { };

        private Builder() {
        }

        /** How predictions and references are normalised before exact match (default LENIENT). */
        public Builder normalization(ExactMatch.Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Thresholds of the error rules; the evaluation set's words are added to its vocabulary. */
        public Builder errorRules(ErrorAnalyzer errorRules) {
            this.errorRules = Objects.requireNonNull(errorRules, "errorRules");
            return this;
        }

        /** More correctly spelled text (e.g. the training data) for the misspelling rule. */
        public Builder vocabularyFrom(List<String> texts) {
            this.extraVocabulary.addAll(texts);
            return this;
        }

        /** Called after each example is scored (progress, streaming to a file). */
        public Builder onRow(Consumer<EvaluationRow> onRow) {
            this.onRow = Objects.requireNonNull(onRow, "onRow");
            return this;
        }

        public ModelEvaluator build() {
            return new ModelEvaluator(this);
        }
    }
}
