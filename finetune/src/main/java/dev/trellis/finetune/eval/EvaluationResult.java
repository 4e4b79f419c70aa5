package dev.trellis.finetune.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of one model over a test set: per-example {@link #rows()} and the totals.
 *
 * <p>{@link #exactMatch()} and the ROUGE totals are means over the rows; {@link #bleu()} is corpus
 * BLEU (sacreBLEU's {@code corpus_bleu}, not a mean of sentence scores); the error counts come
 * with the {@link #errorRules()} that produced them.
 */
public record EvaluationResult(String model, List<EvaluationRow> rows, double bleu, Map<String, String> errorRules) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public EvaluationResult {
        rows = List.copyOf(rows);
        errorRules = Map.copyOf(new LinkedHashMap<>(errorRules));
    }

    public int size() {
        return rows.size();
    }

    /** Fraction of predictions that exactly match their reference. */
    public double exactMatch() {
        return rows.stream().mapToDouble(r -> r.exactMatch() ? 1 : 0).average().orElse(0);
    }

    public double rouge1() {
        return rows.stream().mapToDouble(EvaluationRow::rouge1).average().orElse(0);
    }

    public double rouge2() {
        return rows.stream().mapToDouble(EvaluationRow::rouge2).average().orElse(0);
    }

    public double rougeL() {
        return rows.stream().mapToDouble(EvaluationRow::rougeL).average().orElse(0);
    }

    public long misspellings() {
        return rows.stream().filter(r -> r.errors().misspelling()).count();
    }

    public long tooLong() {
        return rows.stream().filter(r -> r.errors().tooLong()).count();
    }

    public long repetitive() {
        return rows.stream().filter(r -> r.errors().repetitive()).count();
    }

    /** The totals as a flat map (metric name to value), in report order. */
    public Map<String, Object> totals() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("examples", size());
        m.put("exact_match", exactMatch());
        m.put("rouge1", rouge1());
        m.put("rouge2", rouge2());
        m.put("rougeL", rougeL());
        m.put("bleu", bleu);
        m.put("misspelling", misspellings());
        m.put("too_long", tooLong());
        m.put("repetitive", repetitive());
        return m;
    }

    /** One JSON object per row, then one {@code "type":"totals"} line holding the totals and rules. */
    public String toJsonl() {
        StringBuilder sb = new StringBuilder();
        for (EvaluationRow r : rows) {
            sb.append(rowJson(r).toString()).append('\n');
        }
        ObjectNode totals = JSON.createObjectNode();
        totals.put("type", "totals");
        totals.setAll((ObjectNode) JSON.valueToTree(totals()));
        totals.set("error_rules", JSON.valueToTree(new java.util.TreeMap<>(errorRules)));
        sb.append(totals).append('\n');
        return sb.toString();
    }

    ObjectNode rowJson(EvaluationRow r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "row");
        o.put("model", model);
        o.put("id", r.example().id());
        o.put("question", r.example().question());
        o.put("reference", r.example().reference());
        o.put("prediction", r.prediction());
        o.put("exact_match", r.exactMatch());
        o.put("rouge1", r.rouge1());
        o.put("rouge2", r.rouge2());
        o.put("rougeL", r.rougeL());
        o.put("bleu", r.bleu());
        o.set("misspelled", JSON.valueToTree(r.errors().misspelled()));
        o.put("too_long", r.errors().tooLong());
        o.put("repeated_ngram", r.errors().repeatedNgram());
        return o;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%s: %d examples, EM %.3f, ROUGE-1 %.3f, ROUGE-2 %.3f, ROUGE-L %.3f, BLEU %.2f, misspelling %d, too long %d, repetitive %d",
                model, size(), exactMatch(), rouge1(), rouge2(), rougeL(), bleu, misspellings(), tooLong(), repetitive());
    }
}
