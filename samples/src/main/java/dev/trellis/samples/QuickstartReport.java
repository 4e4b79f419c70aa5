package dev.trellis.samples;

import dev.trellis.finetune.eval.EvaluationResult;
import dev.trellis.finetune.eval.EvaluationRow;
import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.samples.bench.ReaderBench;
import dev.trellis.framework.eval.GradeAgreement;
import dev.trellis.framework.eval.QAEvaluation;
import dev.trellis.framework.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The HTML page {@code trellis quickstart} leaves behind: the answers with their catalogue rows,
 * the evaluation table (base vs finetuned, or the remote model alone), the QAEval grades per
 * question, and the loss curve (embedded, and copied next to the page as {@code loss.png}).
 */
record QuickstartReport(String model, boolean remote, List<Answer> answers, ModelComparison comparison,
                        EvaluationResult scored, QAEvaluation grades, Path checkpoint) {

    /** A question, the model's answer and the catalogue rows ({@code id  name}) it was given. */
    /** An answer of step 3; {@code expected} and {@code right} are null for a question the catalogue does not check. */
    record Answer(String question, String answer, List<String> sources, String expected, String kind, Boolean right) {
    }

    static final String PAGE = "report.html";

    /**
     * Writes {@code report.html} (and, when there is a comparison, {@code eval.jsonl}/{@code eval.md}/{@code eval.html};
     * when the checkpoint has one, {@code loss.png}) into {@code dir}, each atomically; returns the page.
     */
    Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            byte[] png = null;
            if (checkpoint != null && Files.isRegularFile(checkpoint.resolve("loss.png"))) {
                png = Files.readAllBytes(checkpoint.resolve("loss.png"));
                AtomicFiles.write(dir.resolve("loss.png"), png);
            }
            if (comparison != null) {
                comparison.writeTo(dir);
            }
            Path page = dir.resolve(PAGE);
            AtomicFiles.writeString(page, html(png));
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quickstart report into " + dir + ": " + e.getMessage(), e);
        }
    }

    private String html(byte[] png) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Trellis quickstart</title>\n"
                + "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px;vertical-align:top;white-space:pre-wrap}.note{color:#666}</style>"
                + "</head><body>\n<h1>Trellis quickstart</h1>\n<p>Model: <code>").append(esc(model)).append("</code><br>Written ")
                .append(Instant.now()).append("</p>\n");

        sb.append("<h2>Answers (RetrievalQA, stuff)</h2>\n<table><tr><th>question</th><th>answer</th><th>the catalogue says</th>"
                + "<th>catalogue rows</th></tr>\n");
        for (Answer a : answers) {
            String check = a.expected() == null ? "-" : (a.right() ? "right: " : "wrong: ") + a.expected();
            sb.append("<tr><td>").append(esc(a.question())).append("</td><td>").append(esc(a.answer())).append("</td><td>")
                    .append(esc(check)).append("</td><td>").append(esc(String.join("\n", a.sources()))).append("</td></tr>\n");
        }
        sb.append("</table>\n");

        sb.append("<h2>Evaluation on held-out questions</h2>\n<table><tr><th>metric</th>");
        if (comparison != null) {
            EvaluationResult base = comparison.base();
            sb.append("<th>base</th><th>finetuned</th></tr>\n");
            row(sb, "questions", String.valueOf(base.size()), String.valueOf(scored.size()));
            row(sb, "exact match", f3(base.exactMatch()), f3(scored.exactMatch()));
            row(sb, "ROUGE-L", f3(base.rougeL()), f3(scored.rougeL()));
            row(sb, "QAEval correct (graded by itself)", "-", QuickstartCommand.accuracy(grades));
        } else {
            sb.append("<th>").append(remote ? "remote model" : "model").append("</th></tr>\n");
            row(sb, "questions", String.valueOf(scored.size()));
            row(sb, "exact match", f3(scored.exactMatch()));
            row(sb, "ROUGE-L", f3(scored.rougeL()));
            row(sb, "QAEval correct (graded by itself)", QuickstartCommand.accuracy(grades));
        }
        GradeAgreement agreement = QuickstartCommand.agreement(grades, scored);
        sb.append("</table>\n<p class=\"note\">QAEval grades come from the same model that answered; their agreement with"
                + " exact match: ").append(esc(agreement.toString()))
                .append(!remote && agreement.noBetterThanChance() ? esc(QuickstartCommand.LOCAL_GRADER_HINT) : "").append(".");
        if (comparison != null) {
            sb.append(" Per question, both models side by side: <a href=\"eval.html\">eval.html</a> (also eval.md, eval.jsonl).");
        }
        sb.append("</p>\n");

        sb.append("<h2>Exact match per kind of question</h2>\n<table><tr><th>kind</th><th>questions</th>")
                .append(comparison != null ? "<th>base</th>" : "").append("<th>").append(comparison != null ? "finetuned" : "model")
                .append("</th></tr>\n");
        Map<String, int[]> perKind = perKind(scored);
        Map<String, int[]> basePerKind = comparison != null ? perKind(comparison.base()) : Map.of();
        perKind.forEach((kind, c) -> {
            sb.append("<tr><td>").append(esc(kind)).append("</td><td>").append(c[1]).append("</td>");
            if (comparison != null) {
                int[] b = basePerKind.getOrDefault(kind, new int[2]);
                sb.append("<td>").append(f3(b[1] == 0 ? Double.NaN : (double) b[0] / b[1])).append("</td>");
            }
            sb.append("<td>").append(f3((double) c[0] / c[1])).append("</td></tr>\n");
        });
        sb.append("</table>\n");

        sb.append("<h2>Loss curve</h2>\n<p class=\"note\">Training loss, and the held-out loss of docs_qa's test split.</p>\n");
        if (png != null) {
            sb.append("<p><img alt=\"training loss\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                    .append("\"></p><p class=\"note\">Also next to this page: <a href=\"loss.png\">loss.png</a></p>\n");
        } else {
            sb.append("<p class=\"note\">").append(remote ? "No local training in this run (a remote model answered)."
                    : "The checkpoint has no loss.png (it was not trained by Trellis).").append("</p>\n");
        }

        sb.append("<h2>Per question</h2>\n<table><tr><th>question</th><th>reference</th><th>answer</th><th>EM</th>"
                + "<th>ROUGE-L</th><th>QAEval</th></tr>\n");
        for (int i = 0; i < scored.size(); i++) {
            EvaluationRow r = scored.rows().get(i);
            sb.append("<tr><td>").append(esc(r.example().question())).append("</td><td>").append(esc(r.example().reference()))
                    .append("</td><td>").append(esc(r.prediction())).append("</td><td>").append(r.exactMatch() ? "✓" : "")
                    .append("</td><td>").append(f3(r.rougeL())).append("</td><td>")
                    .append(esc(String.valueOf(grades.results().get(i).grade()))).append("</td></tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }

    /** Exact-match hits and counts per kind of question (price, id, name...; "docs" and "off_topic" for the rest). */
    static Map<String, int[]> perKind(EvaluationResult result) {
        Map<String, int[]> out = new java.util.TreeMap<>();
        for (EvaluationRow r : result.rows()) {
            String q = r.example().question();
            String kind = q.startsWith("Context:") ? ReaderBench.kind(q, r.example().reference()) : "other";
            int[] c = out.computeIfAbsent(kind, k -> new int[2]);
            c[0] += r.exactMatch() ? 1 : 0;
            c[1]++;
        }
        return out;
    }

    private static void row(StringBuilder sb, String... cells) {
        sb.append("<tr>");
        for (String c : cells) {
            sb.append("<td>").append(esc(c)).append("</td>");
        }
        sb.append("</tr>\n");
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
