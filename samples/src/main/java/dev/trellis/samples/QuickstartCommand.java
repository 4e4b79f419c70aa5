package dev.trellis.samples;

import dev.trellis.framework.io.FileTrees;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.trellis.finetune.eval.EvaluationExample;
import dev.trellis.finetune.eval.EvaluationResult;
import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.finetune.eval.ModelEvaluator;
import dev.trellis.finetune.train.TrainOutput;
import dev.trellis.framework.eval.QAEvalChain;
import dev.trellis.framework.eval.QAEvaluation;
import dev.trellis.retrieval.loaders.CsvLoader;
import dev.trellis.framework.prompts.PromptTemplate;
import dev.trellis.retrieval.qa.AnswerWithSources;
import dev.trellis.retrieval.qa.RetrievalQA;
import dev.trellis.retrieval.qa.VectorstoreIndex;
import dev.trellis.samples.finetune.CheckpointEvaluation;
import dev.trellis.samples.finetune.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** The main job: everything Trellis does, end to end, offline. */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The tour, offline and without an API key:",
                "  1. indexes the bundled product catalogue with local embeddings (all-MiniLM-L6-v2) into a Lucene index,",
                "  2. gets the local model: $TRELLIS_HOME/models/default if it is there, else finetunes the built-in tiny"
                        + " GPT-NeoX on docs_qa.jsonl (for --time-limit, 9 minutes by default, on 2 CPU cores) and keeps it there,",
                "  3. answers a few catalogue questions with RetrievalQA (stuff) and prints each answer with its catalogue rows,",
                "  4. evaluates base (untrained) vs finetuned on held-out questions (exact match, ROUGE-L) plus QAEval grades,"
                        + " prints the table and writes an HTML report with the loss curve to $TRELLIS_HOME/reports/quickstart/,",
                "  5. tells you how to chat with the model and serve it.",
                "Index and model are cached (by content hash, and in models/default): later runs skip steps 1-2 and start in seconds.",
                "",
                "With OPENAI_API_KEY or OPENAI_BASE_URL set (and optionally TRELLIS_MODEL), steps 3-4 use that remote model"
                        + " and local training is skipped: there is no finetuned model to compare, so step 4 scores the remote"
                        + " model alone (exact match, ROUGE-L, QAEval graded by the same model). For the base-vs-finetuned table,"
                        + " run without those variables, or `trellis finetune eval`.",
                "The tiny model is a demonstration of the pipeline: its answers are weak, and as its own QAEval grader it is"
                        + " weaker still; point --base of `trellis finetune train` at a real checkpoint for useful answers.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis quickstart",
                "  trellis quickstart --time-limit 2 --eval-questions 10     (a quick look)",
                "  trellis quickstart --retrain --time-limit 20 --eval-questions 0",
                "  trellis quickstart -q \"Which rain jackets have sun protection?\""})
public final class QuickstartCommand implements Callable<Integer> {

    @Option(names = {"-q", "--question"}, paramLabel = "TEXT", description = "A question about the catalogue; repeatable.")
    List<String> questions = List.of("Do you sell a shirt with sun protection?",
            "I need a warm parka for a winter trip", "Which rain pants are fully waterproof?");

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "A catalogue CSV with id and name columns (default: the bundled catalog.csv).")
    Path catalog;

    @Option(names = "--steps", paramLabel = "N",
            description = "Stop training after this many steps (default: when --time-limit is reached).")
    Integer steps;

    @Option(names = "--time-limit", defaultValue = "9", paramLabel = "MINUTES",
            description = "Stop training after this many minutes; the model is still saved (default: ${DEFAULT-VALUE}).")
    double timeLimitMinutes;

    @Option(names = "--retrain", description = "Train a new model even if $TRELLIS_HOME/models/default exists (it is replaced).")
    boolean retrain;

    @Option(names = "--eval-questions", defaultValue = "40", paramLabel = "N",
            description = "Held-out questions to evaluate on, a fixed sample; 0 for all 147 (default: ${DEFAULT-VALUE}).")
    int evalQuestions;

    @Option(names = "--max-new-tokens", defaultValue = "32",
            description = "Longest answer in tokens during evaluation (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--k", defaultValue = "3", description = "Catalogue rows retrieved per question (default: ${DEFAULT-VALUE}).")
    int k;

    @Mixin
    ModelOptions models;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        validate();
        boolean remote = models.usesRemote();
        Path csv = catalog != null ? catalog : SampleData.file(SampleData.CATALOG);

        out.println("Step 1: index " + csv.getFileName() + " with local embeddings (all-MiniLM-L6-v2) into Lucene");
        Progress[] embedding = new Progress[1];
        try (VectorstoreIndex index = VectorstoreIndex.builder().csv(csv).k(k).batchSize(64)
                .progressListener((done, total) -> {
                    if (embedding[0] == null) {
                        embedding[0] = Progress.start("Embedding " + csv.getFileName(), total);
                    }
                    embedding[0].stepBy(done - embedding[0].done());
                }).build()) {
            if (embedding[0] != null) {
                embedding[0].close();
            }
            out.println(index.reusedExisting()
                    ? "Reused the index at " + index.directory() + " (" + index.segmentCount() + " segments): nothing re-embedded"
                    : "Indexed " + index.segmentCount() + " segments into " + index.directory());

            Path checkpoint = null;
            if (remote) {
                out.println("\nStep 2: OPENAI_API_KEY/OPENAI_BASE_URL is set: using the remote model " + models.describeRemote()
                        + " for steps 3-4; local training skipped (unset them to train and evaluate the local model)");
            } else {
                out.println("\nStep 2: the local model");
                checkpoint = localModel();
            }

            Map<String, ChatModel> opened = new LinkedHashMap<>();
            try {
                ChatModel llm = remote ? models.chatModel(out)
                        : LocalModels.load(checkpoint, models.maxTokens != null ? models.maxTokens() : 64);
                opened.put("llm", llm);
                out.println("\nStep 3: RetrievalQA (stuff) over the catalogue, answered by the "
                        + (remote ? "remote model " + models.describeRemote() : "local model at " + checkpoint));
                List<QuickstartReport.Answer> answers = answer(index, llm, csv, remote);

                out.println("\nStep 4: evaluation on held-out questions of " + SampleData.DOCS_QA);
                List<EvaluationExample> examples = CheckpointEvaluation.heldOut(SampleData.file(SampleData.DOCS_QA), evalQuestions);
                ModelComparison comparison = null;
                EvaluationResult scored;
                if (remote) {
                    try (Progress progress = Progress.start("Evaluating", examples.size())) {
                        scored = ModelEvaluator.builder().onRow(row -> progress.stepBy(1)).build()
                                .evaluate(models.describeRemote(), llm::chat, examples);
                    }
                } else {
                    try (Progress progress = Progress.start("Evaluating base and finetuned", 2L * examples.size())) {
                        comparison = CheckpointEvaluation.compare(checkpoint, null, examples, maxNewTokens,
                                row -> progress.stepBy(1));
                    }
                    scored = comparison.finetuned();
                }
                ChatModel grader = remote ? llm : LocalModels.load(checkpoint, 8);
                opened.put("grader", grader);
                QAEvaluation grades = grade(grader, examples, scored, remote);
                printTable(comparison, scored, grades, remote);

                Path reportDir = TrellisHome.directory().resolve("reports").resolve("quickstart");
                Path report = new QuickstartReport(remote ? "remote model " + models.describeRemote() : checkpoint.toString(),
                        remote, answers, comparison, scored, grades, checkpoint).write(reportDir);
                out.println("\nReport: " + report);
            } finally {
                for (ChatModel m : opened.values()) {
                    if (m instanceof AutoCloseable closeable) {
                        try {
                            closeable.close();
                        } catch (Exception e) {
                            out.println("(closing the model failed: " + e + ")");
                        }
                    }
                }
            }

            out.println("\nStep 5: next");
            if (remote) {
                out.println("  chat with the remote model:  ./trellis chat");
            } else {
                out.println("  chat with the model:         ./trellis chat            (it uses " + checkpoint + ")");
                out.println("  serve it (OpenAI API + dashboard): ./trellis serve --model " + checkpoint);
                out.println("  generate / evaluate:         ./trellis finetune generate \"...\"   ./trellis finetune eval");
            }
            out.println("  every course section:        ./trellis --help");
        }
        return 0;
    }

    private void validate() {
        if (steps != null && steps < 1) {
            throw new IllegalArgumentException("--steps " + steps + ": training needs at least 1 step");
        }
        if (!(timeLimitMinutes > 0)) {
            throw new IllegalArgumentException("--time-limit " + timeLimitMinutes + ": give a positive number of minutes");
        }
        if (evalQuestions < 0) {
            throw new IllegalArgumentException("--eval-questions " + evalQuestions + ": give 0 (all) or a positive number");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens " + maxNewTokens + ": give at least 1");
        }
        if (k < 1) {
            throw new IllegalArgumentException("--k " + k + ": retrieve at least 1 row");
        }
    }

    /** {@code --model}, else the cached models/default, else a fresh finetune installed there. */
    private Path localModel() throws IOException {
        if (models.model != null) {
            Path dir = models.model.toAbsolutePath();
            CheckpointEvaluation.requireCheckpoint(dir, "--model");
            out.println("Using the checkpoint given with --model: " + dir);
            return dir;
        }
        Path target = LocalModels.defaultCheckpoint();
        if (LocalModels.isCheckpoint(target) && !retrain) {
            out.println("Reusing the local model at " + target + " (cached; --retrain trains a new one)");
            return target;
        }
        out.println("Finetuning the built-in tiny GPT-NeoX on " + SampleData.DOCS_QA + " for at most " + timeLimitMinutes
                + " minutes" + (steps != null ? " or " + steps + " steps" : ""));
        Path training = target.resolveSibling(".default-training");
        FileTrees.delete(training);
        TrainOutput result = TrainCommand.train(SampleData.file(SampleData.DOCS_QA), null, training, steps, 8, null,
                Duration.ofMillis((long) (timeLimitMinutes * 60_000)), List.of(), out);
        install(result.outputDir(), target);
        out.println("Saved the model to " + target + " (later runs reuse it)");
        return target;
    }

    /** Moves a finished checkpoint into place: a crash leaves either the old model or the new one, never half of one. */
    private static void install(Path trained, Path target) throws IOException {
        Path old = target.resolveSibling(".default-replaced");
        FileTrees.delete(old);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(trained, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(old);
    }

    /**
     * The local model is asked in the shape its training data asks (docs_qa.jsonl's context questions:
     * "Context:" rows without descriptions, then "Question:"); a remote model gets RetrievalQA's usual
     * instructions and whole rows.
     */
    static final PromptTemplate LOCAL_STUFF_PROMPT = PromptTemplate.fromTemplate("Context:\n{context}\n\nQuestion: {question}");

    private List<QuickstartReport.Answer> answer(VectorstoreIndex index, ChatModel llm, Path csv, boolean remote) {
        ContentRetriever retriever = index.asRetriever();
        RetrievalQA.Builder qa = RetrievalQA.builder().chatModel(llm).returnSourceDocuments(true)
                .retriever(remote ? retriever : query -> retriever.retrieve(query).stream().map(QuickstartCommand::withoutDescription).toList());
        RetrievalQA chain = (remote ? qa : qa.prompt(LOCAL_STUFF_PROMPT)).build();
        Map<Integer, String> rows = new LinkedHashMap<>();
        List<Document> documents = CsvLoader.from(csv).load();
        for (Document d : documents) {
            rows.put(d.metadata().getInteger("row"), field(d.text(), "id") + "  " + field(d.text(), "name"));
        }
        List<QuickstartReport.Answer> answers = new ArrayList<>();
        for (String question : questions) {
            Map<String, Object> result = chain.call(Map.of(RetrievalQA.DEFAULT_INPUT_KEY, question));
            @SuppressWarnings("unchecked")
            AnswerWithSources a = new AnswerWithSources(question, String.valueOf(result.get(RetrievalQA.DEFAULT_OUTPUT_KEY)),
                    (List<Document>) result.get(RetrievalQA.SOURCE_DOCUMENTS_KEY));
            List<String> sources = a.sourceDocuments().stream().map(d -> d.metadata().getInteger("row"))
                    .distinct().map(row -> rows.getOrDefault(row, "row " + row)).toList();
            out.println("\n> " + question);
            out.println("  " + (a.answer().isBlank() ? "(the model answered nothing)" : a.answer().strip().replace("\n", "\n  ")));
            out.println("  Sources:");
            sources.forEach(s -> out.println("    " + s));
            answers.add(new QuickstartReport.Answer(question, a.answer().strip(), sources));
        }
        return answers;
    }

    /**
     * A catalogue row as the local model's training contexts show it: every column but the long
     * description, which would take the prompt past the lengths (and the shape) it was trained on.
     */
    private static Content withoutDescription(Content content) {
        TextSegment segment = content.textSegment();
        String text = segment.text().lines().filter(l -> !l.startsWith("description: ")).collect(Collectors.joining("\n"));
        return Content.from(TextSegment.from(text, segment.metadata()));
    }

    private static String field(String text, String column) {
        return text.lines().filter(l -> l.startsWith(column + ": ")).findFirst()
                .map(l -> l.substring(column.length() + 2)).orElse("?");
    }

    private QAEvaluation grade(ChatModel grader, List<EvaluationExample> examples, EvaluationResult scored, boolean remote) {
        List<Map<String, String>> exampleMaps = new ArrayList<>();
        List<Map<String, String>> predictions = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            exampleMaps.add(Map.of("query", examples.get(i).question(), "answer", examples.get(i).reference()));
            predictions.add(Map.of("result", scored.rows().get(i).prediction()));
        }
        out.println("Grading " + examples.size() + " answers with QAEvalChain (grader: the same model"
                + (remote ? ")" : "; a tiny model is a weak grader, so read its grades as a demonstration)"));
        return QAEvalChain.fromLlm(grader).evaluate(exampleMaps, predictions);
    }

    private void printTable(ModelComparison comparison, EvaluationResult scored, QAEvaluation grades, boolean remote) {
        out.println();
        if (comparison != null) {
            out.printf(Locale.ROOT, "%-22s %10s %10s%n", "metric", "base", "finetuned");
            out.printf(Locale.ROOT, "%-22s %10d %10d%n", "questions", comparison.base().size(), scored.size());
            out.printf(Locale.ROOT, "%-22s %10.3f %10.3f%n", "exact match", comparison.base().exactMatch(), scored.exactMatch());
            out.printf(Locale.ROOT, "%-22s %10.3f %10.3f%n", "ROUGE-L", comparison.base().rougeL(), scored.rougeL());
            out.printf(Locale.ROOT, "%-22s %10s %10s%n", "QAEval correct (self)", "-", accuracy(grades));
        } else {
            out.printf(Locale.ROOT, "%-22s %10s%n", "metric", remote ? "remote" : "model");
            out.printf(Locale.ROOT, "%-22s %10d%n", "questions", scored.size());
            out.printf(Locale.ROOT, "%-22s %10.3f%n", "exact match", scored.exactMatch());
            out.printf(Locale.ROOT, "%-22s %10.3f%n", "ROUGE-L", scored.rougeL());
            out.printf(Locale.ROOT, "%-22s %10s%n", "QAEval correct (self)", accuracy(grades));
        }
        out.printf(Locale.ROOT, "QAEval grades: %d correct, %d incorrect, %d ungraded%n", grades.correct(),
                grades.incorrect(), grades.ungraded());
    }

    /** Share graded CORRECT among the graded ones; "n/a" when the grader's replies graded nothing. */
    static String accuracy(QAEvaluation grades) {
        double a = grades.accuracy();
        return Double.isNaN(a) ? "n/a" : String.format(Locale.ROOT, "%.3f", a);
    }
}
