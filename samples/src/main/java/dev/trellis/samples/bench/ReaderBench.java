package dev.trellis.samples.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.eval.Answerer;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.pretrain.ReadingCorpus;
import dev.trellis.finetune.pretrain.ShippedBase;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.framework.eval.ExactMatch;
import dev.trellis.framework.io.FileTrees;
import dev.trellis.retrieval.retrievers.WordOverlapReranker;
import dev.trellis.samples.SampleData;
import dev.trellis.samples.data.DocsQaGenerator;
import dev.trellis.samples.finetune.CheckpointEvaluation;
import dev.trellis.samples.finetune.TrainCommand;
import dev.trellis.samples.finetune.GroundedAnswers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis bench reader}: how well local models read a retrieved context. The 136 docs_qa test
 * questions about products no training example shows, each with its catalogue rows as context, are
 * answered greedily by: the base alone, the base after the quickstart's finetune (at most 3 minutes),
 * the same with grounded answers, the same given only the row that shares the most words with the question
 * (what the quickstart's local chain does), and the from-scratch recipe (the tiny model trained on docs_qa alone);
 * exact match overall and per kind of question. The base is also scored on a fresh seed of its own
 * reading corpus, per question type. Ends with one JSON line.
 */
@Command(name = "reader", mixinStandardHelpOptions = true,
        description = "Context-reading exact match: base, finetuned (3 min), grounded, from scratch; per question kind.")
public final class ReaderBench implements Callable<Integer> {

    @Option(names = "--base", paramLabel = "DIR", description = "Base checkpoint (default: the shipped trellis-base).")
    Path base;

    @Option(names = "--finetune-minutes", defaultValue = "3", description = "Finetuning budget (default: ${DEFAULT-VALUE}).")
    double finetuneMinutes;

    @Option(names = "--scratch-minutes", defaultValue = "10",
            description = "From-scratch recipe's budget; 0 skips it (default: ${DEFAULT-VALUE}).")
    double scratchMinutes;

    @Option(names = "--generic-questions", defaultValue = "220",
            description = "Questions from a fresh reading-corpus seed for the base, a fifth of them copying exercises"
                    + " (default: ${DEFAULT-VALUE}).")
    int genericQuestions;

    @Option(names = "--corpus-seed", defaultValue = "424242", description = "Seed of that fresh corpus (default: ${DEFAULT-VALUE}).")
    long corpusSeed;

    @Option(names = "--finetuned", paramLabel = "DIR", description = "Score this finetuned checkpoint instead of finetuning.")
    Path finetuned;

    @Option(names = "--limit", defaultValue = "0", description = "Score only the first N context questions; 0 for all.")
    int limit;

    private final PrintStream out = System.out;

    /** A kind of docs_qa context question, read off its wording (DocsQaGenerator's forms). */
    public static String kind(String question, String answer) {
        if (answer.startsWith("I don't know")) {
            return "not_in_context";
        }
        String q = question.substring(question.lastIndexOf("Question: ") + "Question: ".length()).toLowerCase(Locale.ROOT);
        if (q.contains("comes in") || q.contains("what is it called")) {
            return "name";
        }
        if (q.contains("cost") || q.contains("price") || q.contains("sell for")) {
            return "price";
        }
        if (q.contains("upf") || q.contains("sun protection")) {
            return "upf";
        }
        if (q.contains("made of") || q.contains("fabric")) {
            return "fabric";
        }
        if (q.contains("pockets")) {
            return "pockets";
        }
        if (q.contains("collection")) {
            return "collection";
        }
        if (q.contains(" id ")) {
            return "id";
        }
        return "other";
    }

    /** The docs_qa test questions whose context holds catalogue rows of unseen products. */
    public static List<InstructionExample> contextQuestions(int limit) {
        List<InstructionExample> out = new ArrayList<>();
        for (InstructionExample e : InstructionDataset.load(SampleData.file(SampleData.DOCS_QA)).examples()) {
            if ("test".equals(e.field("split")) && "catalog_context".equals(e.field("kind"))) {
                out.add(e);
            }
        }
        return limit > 0 ? out.subList(0, Math.min(limit, out.size())) : out;
    }

    /**
     * The prompt with only the context row that shares the most words with the question, as the quickstart's
     * local chain gives its model ({@link WordOverlapReranker}); a prompt without rows is returned as it is.
     */
    public static String bestRow(String prompt) {
        return oneRow(prompt, false);
    }

    /**
     * What the quickstart's local chain answers from: the best row among those that hold every name the
     * question gives ({@link WordOverlapReranker#requireNamedWords}), or, when no row does, the refusal
     * without asking the model ({@code RetrievalQA.Builder#responseIfNoDocsFound}).
     */
    static Answerer namedRow(Answerer model) {
        return prompt -> {
            String kept = oneRow(prompt, true);
            return kept == null ? DocsQaGenerator.NOT_IN_CONTEXT : model.answer(kept);
        };
    }

    /** The prompt with only its best context row (among those naming what the question names); null if none does. */
    private static String oneRow(String prompt, boolean requireNamedWords) {
        int q = prompt.lastIndexOf("\nQuestion: ");
        if (!prompt.startsWith("Context:\n") || q < 0) {
            return prompt;
        }
        String question = prompt.substring(q + "\nQuestion: ".length());
        List<String> rows = List.of(prompt.substring("Context:\n".length(), q).strip().split("\n\n"));
        if (requireNamedWords) {
            rows = WordOverlapReranker.naming(question, rows, r -> r);
        }
        return rows.isEmpty() ? null
                : "Context:\n" + WordOverlapReranker.best(question, rows, 1, r -> r).get(0) + "\n\nQuestion: " + question;
    }

    /** Exact match overall ({@code "all"}) and per kind. */
    public record Scores(Map<String, int[]> perKind) {
        double em(String kind) {
            int[] c = perKind.get(kind);
            return c == null || c[1] == 0 ? Double.NaN : (double) c[0] / c[1];
        }

        double minKind() {
            return perKind.entrySet().stream().filter(e -> !e.getKey().equals("all")).mapToDouble(e -> em(e.getKey()))
                    .min().orElse(Double.NaN);
        }
    }

    /** Scores {@code answerer} on the context questions, per kind. */
    public static Scores score(Answerer answerer, List<InstructionExample> questions) {
        Map<String, int[]> perKind = new TreeMap<>();
        for (InstructionExample e : questions) {
            String prediction = answerer.answer(e.prompt());
            boolean right = ExactMatch.matches(prediction, e.response(), ExactMatch.Normalization.LENIENT);
            for (String k : List.of("all", kind(e.prompt(), e.response()))) {
                int[] c = perKind.computeIfAbsent(k, x -> new int[2]);
                c[0] += right ? 1 : 0;
                c[1]++;
            }
        }
        return new Scores(perKind);
    }

    @Override
    public Integer call() throws IOException {
        Path baseDir = base != null ? base : ShippedBase.directory();
        List<InstructionExample> questions = contextQuestions(limit);
        Map<String, Scores> table = new LinkedHashMap<>();
        out.printf(Locale.ROOT, "Reader bench: %d unseen-product context questions, base %s, device %s%n", questions.size(),
                baseDir, Engine.getInstance().defaultDevice());

        Map<String, int[]> generic = new TreeMap<>();
        try (CausalLM model = CausalLM.load(baseDir); HfTokenizer tokenizer = HfTokenizer.load(baseDir)) {
            Answerer a = CheckpointEvaluation.greedy(model, tokenizer, InstructionTemplate.QUESTION_ANSWER, 32);
            // copying exercises need room for a whole record or context
            Answerer copier = CheckpointEvaluation.greedy(model, tokenizer, InstructionTemplate.QUESTION_ANSWER, 200);
            // the corpus version the base was trained on (trellis-base: 1), so the questions are of kinds it saw
            Object version = TrellisManifest.read(baseDir).training().getOrDefault("corpus_version", 1);
            ReadingCorpus corpus = new ReadingCorpus(corpusSeed, ((Number) version).intValue());
            for (int i = 0; i < genericQuestions; i++) {
                boolean copy = i % 5 == 4; // a fifth: the copying the lookups are built on
                ReadingCorpus.Example e = copy ? corpus.copying() : corpus.reading(8);
                String answer = (copy ? copier : a).answer(e.prompt());
                boolean right = copy ? answer.strip().equals(e.answer().strip())
                        : ExactMatch.matches(answer, e.answer(), ExactMatch.Normalization.LENIENT);
                for (String k : List.of("all", e.type())) {
                    int[] c = generic.computeIfAbsent(k, x -> new int[2]);
                    c[0] += right ? 1 : 0;
                    c[1]++;
                }
            }
            table.put("base", score(a, questions));
        }
        Path scratch = Files.createTempDirectory("trellis-bench-reader");
        try {
            Path tuned = finetuned;
            if (tuned == null) {
                tuned = scratch.resolve("finetuned");
                TrainCommand.train(SampleData.file(SampleData.DOCS_QA), base != null ? base.toString() : ShippedBase.NAME, tuned,
                        null, 8, null, Duration.ofMillis((long) (finetuneMinutes * 60_000)), List.of(), out);
            }
            try (CausalLM model = CausalLM.load(tuned); HfTokenizer tokenizer = HfTokenizer.load(tuned)) {
                InstructionTemplate template = TrellisManifest.read(tuned).template();
                Answerer finetunedAnswers = CheckpointEvaluation.greedy(model, tokenizer, template, 32);
                table.put("finetuned", score(finetunedAnswers, questions));
                Answerer groundedAnswers = GroundedAnswers.answerer(model, tokenizer, template, 32);
                table.put("finetuned+grounded", score(groundedAnswers, questions));
                table.put("best row", score(q -> finetunedAnswers.answer(bestRow(q)), questions));
                table.put("best row+grounded", score(q -> groundedAnswers.answer(bestRow(q)), questions));
                table.put("named row", score(namedRow(finetunedAnswers), questions));
                table.put("named row+grounded", score(namedRow(groundedAnswers), questions));
            }
            if (scratchMinutes > 0) {
                Path tiny = scratch.resolve("scratch");
                TrainCommand.train(SampleData.file(SampleData.DOCS_QA), TrainCommand.baseName(null, true), tiny, null, 8, null,
                        Duration.ofMillis((long) (scratchMinutes * 60_000)), List.of(), out);
                try (CausalLM model = CausalLM.load(tiny); HfTokenizer tokenizer = HfTokenizer.load(tiny)) {
                    InstructionTemplate template = TrellisManifest.read(tiny).template();
                    table.put("from scratch", score(CheckpointEvaluation.greedy(model, tokenizer, template, 32), questions));
                }
            }
        } finally {
            FileTrees.delete(scratch);
        }

        List<String> kinds = new ArrayList<>(table.get("base").perKind().keySet());
        out.printf(Locale.ROOT, "%n%-20s", "exact match");
        kinds.forEach(k -> out.printf(Locale.ROOT, " %14s", k + " (" + table.get("base").perKind().get(k)[1] + ")"));
        out.println();
        table.forEach((name, s) -> {
            out.printf(Locale.ROOT, "%-20s", name);
            kinds.forEach(k -> out.printf(Locale.ROOT, " %14.3f", s.em(k)));
            out.println();
        });
        out.printf(Locale.ROOT, "%nBase on a fresh reading-corpus seed (%d), per question type:%n", corpusSeed);
        generic.forEach((k, c) -> out.printf(Locale.ROOT, "  %-16s %.3f (%d/%d)%n", k, (double) c[0] / c[1], c[0], c[1]));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bench", "reader");
        json.put("questions", questions.size());
        table.forEach((name, s) -> json.put(name.replace(' ', '_').replace('+', '_') + "_context_em", round(s.em("all"))));
        json.put("finetuned_min_kind_em", round(table.get("finetuned").minKind()));
        json.put("best_row_min_kind_em", round(table.get("best row").minKind()));
        json.put("named_row_min_kind_em", round(table.get("named row").minKind()));
        json.put("generic_base_em", round((double) generic.get("all")[0] / generic.get("all")[1]));
        out.println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
