package dev.trellis.samples.finetune;

import dev.trellis.finetune.eval.EvaluationExample;
import dev.trellis.finetune.eval.EvaluationResult;
import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.samples.Progress;
import dev.trellis.samples.SampleData;
import dev.trellis.samples.TrellisHome;
import dev.trellis.finetune.model.Quantization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The course's evaluation step: the base and the finetuned model answer the same held-out questions. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a finetuned checkpoint against its base on the held-out questions: exact match,"
                + " ROUGE-1/2/L, BLEU and error counts (misspellings, too long, repetitive), greedy decoding.",
                "Prints the totals and writes eval.jsonl, eval.md and eval.html (per question, both models side by side)"
                        + " into the output directory; `trellis serve` shows them on its dashboard.",
                "Without --base the base is the checkpoint's own configuration at its initial weights (what"
                        + " `trellis finetune train` started from)."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune eval --limit 20",
                "  trellis finetune eval --model /tmp/pythia-qa --base ~/models/pythia-70m --data my_qa.jsonl --limit 0"})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR",
            description = "The finetuned checkpoint (default: $TRELLIS_HOME/models/default).")
    Path model;

    @Option(names = "--base", paramLabel = "DIR",
            description = "The base checkpoint to compare with (default: the base the model was finetuned from, as its"
                    + " trellis.json records it, e.g. trellis-base; for a model trained from scratch its untrained configuration).")
    Path base;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Question/answer data; its test split is evaluated (default: the bundled docs_qa.jsonl).")
    Path data;

    @Option(names = "--limit", defaultValue = "40",
            description = "Evaluate a fixed sample of this many held-out questions; 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--max-new-tokens", defaultValue = "32",
            description = "Longest generated answer in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Where eval.jsonl, eval.md and eval.html go (default: the model directory).")
    Path output;

    @Option(names = "--quantize", paramLabel = "int8",
            description = "Instead of base vs finetuned: the model in float32 vs the same model quantized (int8), "
                    + "with the number of answers that changed.")
    String quantize;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens " + maxNewTokens + ": give at least 1");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit " + limit + ": give 0 (all) or a positive number");
        }
        Quantization quantization = quantize == null ? Quantization.NONE : Quantization.parse(quantize, "--quantize");
        if (quantize != null && quantization == Quantization.NONE) {
            throw new IllegalArgumentException("--quantize none: give int8 to compare float32 with int8, or drop --quantize");
        }
        if (quantization != Quantization.NONE && base != null) {
            throw new IllegalArgumentException("--quantize compares the model with itself in float32; drop --base");
        }
        Path dir = model != null ? model : TrellisHome.models().resolve("default");
        Path file = data != null ? data : SampleData.file(SampleData.DOCS_QA);
        List<EvaluationExample> examples = CheckpointEvaluation.heldOut(file, limit);
        if (quantization != Quantization.NONE) {
            return compareQuantized(dir, quantization, examples, file);
        }
        Path recorded = base == null && Files.isDirectory(dir) ? CheckpointEvaluation.recordedBase(dir) : null;
        out.println("Evaluating " + dir + " against " + (base != null ? base : recorded != null ? "its base " + recorded
                : "its untrained base") + " on "
                + examples.size() + " held-out questions of " + file.getFileName());
        ModelComparison comparison;
        try (Progress progress = Progress.start("Evaluating", 2L * examples.size())) {
            comparison = CheckpointEvaluation.compare(dir, base, examples, maxNewTokens, row -> progress.stepBy(1));
        }
        out.println();
        out.print(totals(comparison));
        List<Path> written = comparison.writeTo(output != null ? output : dir);
        out.println("\nWrote " + written.get(0) + ", " + written.get(1).getFileName() + " and " + written.get(2).getFileName());
        return 0;
    }

    private int compareQuantized(Path dir, Quantization quantization, List<EvaluationExample> examples, Path file) {
        out.println("Evaluating " + dir + " in float32 against itself in " + quantization.flagValue() + " on "
                + examples.size() + " held-out questions of " + file.getFileName());
        ModelComparison comparison;
        try (Progress progress = Progress.start("Evaluating", 2L * examples.size())) {
            comparison = CheckpointEvaluation.compareQuantized(dir, quantization, examples, maxNewTokens,
                    row -> progress.stepBy(1));
        }
        int changed = CheckpointEvaluation.changedAnswers(comparison);
        out.println();
        out.print(totals(comparison, "float32", quantization.flagValue()));
        double points = 100 * (comparison.finetuned().exactMatch() - comparison.base().exactMatch());
        out.printf(Locale.ROOT, "%nanswers changed by %s: %d of %d (%.1f%%; target <= 2%%); exact match %+.1f points "
                        + "(target within 1)%n", quantization.flagValue(), changed, examples.size(),
                100.0 * changed / examples.size(), points);
        Path target = output != null ? output : dir.resolve("eval-" + quantization.flagValue());
        try {
            Files.createDirectories(target);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + target, e);
        }
        List<Path> written = comparison.writeTo(target);
        out.println("Wrote " + written.get(0) + ", " + written.get(1).getFileName() + " and " + written.get(2).getFileName());
        return 0;
    }

    /** The totals as a plain-text table. */
    static String totals(ModelComparison c) {
        return totals(c, "base", "finetuned");
    }

    /** The same with the two columns named. */
    static String totals(ModelComparison c, String first, String second) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s %10s %10s%n", "metric", first, second));
        EvaluationResult b = c.base();
        EvaluationResult f = c.finetuned();
        sb.append(String.format(Locale.ROOT, "%-14s %10d %10d%n", "questions", b.size(), f.size()));
        sb.append(String.format(Locale.ROOT, "%-14s %10.3f %10.3f%n", "exact match", b.exactMatch(), f.exactMatch()));
        sb.append(String.format(Locale.ROOT, "%-14s %10.3f %10.3f%n", "ROUGE-1", b.rouge1(), f.rouge1()));
        sb.append(String.format(Locale.ROOT, "%-14s %10.3f %10.3f%n", "ROUGE-L", b.rougeL(), f.rougeL()));
        sb.append(String.format(Locale.ROOT, "%-14s %10.2f %10.2f%n", "BLEU", b.bleu(), f.bleu()));
        sb.append(String.format(Locale.ROOT, "%-14s %10d %10d%n", "repetitive", b.repetitive(), f.repetitive()));
        return sb.toString();
    }
}
