package dev.trellis.finetune.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.framework.io.AtomicFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Base and finetuned model on the same questions, side by side: the course's
 * {@code model.evaluate()} table. Written as JSONL (one line per question with both predictions,
 * then one totals line per model), Markdown and HTML, each file atomically.
 */
public record ModelComparison(EvaluationResult base, EvaluationResult finetuned) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelComparison {
        if (base.size() != finetuned.size()) {
            throw new IllegalArgumentException("base '" + base.model() + "' has " + base.size()
                    + " rows but finetuned '" + finetuned.model() + "' has " + finetuned.size()
                    + "; compare the two models on the same questions");
        }
        for (int i = 0; i < base.size(); i++) {
            String a = base.rows().get(i).example().id();
            String b = finetuned.rows().get(i).example().id();
            if (!a.equals(b)) {
                throw new IllegalArgumentException("row " + i + " is question " + a + " for the base model but " + b
                        + " for the finetuned one; compare the two models on the same questions in the same order");
            }
        }
    }

    /** One line per question (both predictions and scores), then each model's totals and the error rules. */
    public String toJsonl() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < base.size(); i++) {
            EvaluationRow b = base.rows().get(i);
            EvaluationRow f = finetuned.rows().get(i);
            ObjectNode o = JSON.createObjectNode();
            o.put("type", "row");
            o.put("id", b.example().id());
            o.put("question", b.example().question());
            o.put("reference", b.example().reference());
            o.set("base", scores(base, b));
            o.set("finetuned", scores(finetuned, f));
            sb.append(o).append('\n');
        }
        for (EvaluationResult r : List.of(base, finetuned)) {
            ObjectNode t = JSON.createObjectNode();
            t.put("type", "totals");
            t.put("role", r == base ? "base" : "finetuned");
            t.setAll((ObjectNode) JSON.valueToTree(r.totals()));
            t.set("error_rules", JSON.valueToTree(new TreeMap<>(r.errorRules())));
            sb.append(t).append('\n');
        }
        return sb.toString();
    }

    private static ObjectNode scores(EvaluationResult result, EvaluationRow r) {
        ObjectNode o = result.rowJson(r);
        o.remove(List.of("type", "id", "question", "reference"));
        return o;
    }

    /** A totals table, the rules behind the error counts, and a per-question table. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("## Totals\n\n| metric | ").append(md(base.model())).append(" (base) | ")
                .append(md(finetuned.model())).append(" (finetuned) |\n|---|---:|---:|\n");
        for (String[] row : totalsRows()) {
            sb.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
        }
        sb.append("\n## Error rules\n\n");
        for (Map.Entry<String, String> e : new TreeMap<>(base.errorRules()).entrySet()) {
            sb.append("- **").append(e.getKey()).append("**: ").append(md(e.getValue())).append('\n');
        }
        sb.append("\n## Per question\n\n| id | question | reference | base | EM | ROUGE-L | finetuned | EM | ROUGE-L |\n"
                + "|---|---|---|---|:-:|---:|---|:-:|---:|\n");
        for (int i = 0; i < base.size(); i++) {
            EvaluationRow b = base.rows().get(i);
            EvaluationRow f = finetuned.rows().get(i);
            sb.append("| ").append(md(b.example().id())).append(" | ").append(md(b.example().question()))
                    .append(" | ").append(md(b.example().reference()))
                    .append(" | ").append(md(b.prediction())).append(" | ").append(b.exactMatch() ? "✓" : "")
                    .append(" | ").append(f3(b.rougeL()))
                    .append(" | ").append(md(f.prediction())).append(" | ").append(f.exactMatch() ? "✓" : "")
                    .append(" | ").append(f3(f.rougeL())).append(" |\n");
        }
        return sb.toString();
    }

    /** The same tables as a standalone HTML page (every text HTML-escaped). */
    public String toHtml() {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(html(base.model())).append(" vs ").append(html(finetuned.model()))
                .append("</title>\n<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;"
                        + "vertical-align:top;white-space:pre-wrap}</style></head><body>\n<h2>Totals</h2>\n<table>"
                        + "<tr><th>metric</th><th>").append(html(base.model())).append(" (base)</th><th>")
                .append(html(finetuned.model())).append(" (finetuned)</th></tr>\n");
        for (String[] row : totalsRows()) {
            sb.append("<tr><td>").append(html(row[0])).append("</td><td>").append(html(row[1]))
                    .append("</td><td>").append(html(row[2])).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Error rules</h2>\n<ul>\n");
        for (Map.Entry<String, String> e : new TreeMap<>(base.errorRules()).entrySet()) {
            sb.append("<li><b>").append(html(e.getKey())).append("</b>: ").append(html(e.getValue())).append("</li>\n");
        }
        sb.append("</ul>\n<h2>Per question</h2>\n<table><tr><th>id</th><th>question</th><th>reference</th>"
                + "<th>base</th><th>EM</th><th>ROUGE-L</th><th>finetuned</th><th>EM</th><th>ROUGE-L</th></tr>\n");
        for (int i = 0; i < base.size(); i++) {
            EvaluationRow b = base.rows().get(i);
            EvaluationRow f = finetuned.rows().get(i);
            sb.append("<tr><td>").append(html(b.example().id())).append("</td><td>").append(html(b.example().question()))
                    .append("</td><td>").append(html(b.example().reference()))
                    .append("</td><td>").append(html(b.prediction())).append("</td><td>").append(b.exactMatch() ? "✓" : "")
                    .append("</td><td>").append(f3(b.rougeL()))
                    .append("</td><td>").append(html(f.prediction())).append("</td><td>").append(f.exactMatch() ? "✓" : "")
                    .append("</td><td>").append(f3(f.rougeL())).append("</td></tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }

    /**
     * Writes {@code eval.jsonl}, {@code eval.md} and {@code eval.html} into {@code dir} (created if
     * missing), each atomically, and returns the three paths.
     */
    public List<Path> writeTo(Path dir) {
        Path jsonl = dir.resolve("eval.jsonl");
        Path md = dir.resolve("eval.md");
        Path page = dir.resolve("eval.html");
        AtomicFiles.writeString(jsonl, toJsonl());
        AtomicFiles.writeString(md, toMarkdown());
        AtomicFiles.writeString(page, toHtml());
        return List.of(jsonl, md, page);
    }

    private List<String[]> totalsRows() {
        return List.of(
                new String[] {"examples", String.valueOf(base.size()), String.valueOf(finetuned.size())},
                new String[] {"exact match", f3(base.exactMatch()), f3(finetuned.exactMatch())},
                new String[] {"ROUGE-1", f3(base.rouge1()), f3(finetuned.rouge1())},
                new String[] {"ROUGE-2", f3(base.rouge2()), f3(finetuned.rouge2())},
                new String[] {"ROUGE-L", f3(base.rougeL()), f3(finetuned.rougeL())},
                new String[] {"BLEU (corpus)", String.format(Locale.ROOT, "%.2f", base.bleu()),
                        String.format(Locale.ROOT, "%.2f", finetuned.bleu())},
                new String[] {"misspelling", String.valueOf(base.misspellings()), String.valueOf(finetuned.misspellings())},
                new String[] {"too long", String.valueOf(base.tooLong()), String.valueOf(finetuned.tooLong())},
                new String[] {"repetitive", String.valueOf(base.repetitive()), String.valueOf(finetuned.repetitive())});
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Markdown table cell: pipes escaped, line breaks as {@code <br>}. */
    private static String md(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>");
    }

    private static String html(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
