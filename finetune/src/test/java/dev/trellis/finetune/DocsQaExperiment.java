package dev.trellis.finetune;

import dev.trellis.finetune.data.InstructionExample;
import dev.trellis.finetune.eval.EvaluationResult;
import dev.trellis.finetune.eval.EvaluationRow;
import dev.trellis.finetune.eval.ModelComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The experiment, opt-in (minutes, not a unit test): trellis-tiny trained on docs_qa.jsonl
 * within a time budget, base vs finetuned on the held-out split, EM per kind of question.
 * Run: {@code mvn -B -o -pl finetune -am test -Dtest=DocsQaExperiment -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtrellis.experiment=docs_qa -Dtrellis.experiment.minutes=10 -Dtrellis.experiment.base=trellis-tiny
 * -Dtrellis.experiment.lr=4e-3 -Dtrellis.experiment.trainOnPrompt=false}; the figures print as lines starting with EXPERIMENT in
 * finetune/target/surefire-reports/dev.trellis.finetune.DocsQaExperiment-output.txt.
 *
 * <p>Measured under load (2 shared cores, load 5-17), trellis-tiny, lr 2e-3 constant, batch 8,
 * 10 minutes: 298 steps, train loss 6.8 to 1.5; held-out (147): base EM 0.000 / ROUGE-L 0.000,
 * finetuned EM 0.088 / ROUGE-L 0.188; retrieved-context questions about unseen products
 * (catalog_context, 136) EM 0.074: well short of the 50% goal. trellis-micro, lr 3e-3, 8 minutes:
 * 581 steps, loss 2.02; finetuned EM 0.054 / ROUGE-L 0.178 (base 0 / 0), catalog_context EM 0.059.
 *
 * <p>Quiet machine (load under 1), ModelRunner's defaults (2e-3 constant after 50 warmup steps, batch 8),
 * docs_qa with four extra context rounds per training product (5,097 training pairs), 10 minutes:
 * 4,501 steps (7 epochs), loss 0.60; base EM 0 / ROUGE-L 0.003, finetuned EM 0.265 / ROUGE-L 0.510,
 * catalog_context EM 36/136 = 0.265. Per question kind the model answers what it can copy from the
 * question itself (collection: 19/20) and not yet what it must find in the context (id 0/14, price 0/10,
 * pockets 3/19): it has not learned to look a row up, only the answers' shapes.
 * The same with the loss on the prompt too (trainOnPrompt, now the default for a built-in base:
 * the question repeats the product name its context holds, which is copying practice): 4,724 steps,
 * finetuned EM 0.293 / ROUGE-L 0.517, catalog_context EM 40/136 = 0.294 (fabric 6/12, pockets 6/19;
 * id 0/14 and price 0/10 still not copied). Short of 50%: a tiny model from scratch in 10 CPU minutes
 * has not formed the copying (induction) heads a lookup needs.
 * Tried and not kept: the question before the context rows (so each row is read knowing what is
 * asked): catalog_context EM 34/136 = 0.250, no better.
 * Learning rate (all else as the trainOnPrompt run): 4e-3, 4,577 steps, finetuned EM 0.340 / ROUGE-L
 * 0.554, catalog_context EM 47/136 = 0.346 (now the default); 6e-3, 3,260 steps (the machine ran
 * slower that time), EM 0.129, catalog_context 16/136 = 0.118.
 *
 * <p>Tried and not kept (2026-12-04, same machine, 10 minutes each, 4e-3): a tokenizer with every
 * digit a token of its own (BpeTrainer.individualDigits, as Llama's): 4,101 steps, EM 0.224,
 * catalog_context 30/136 = 0.221. The four extra context rounds on variant rows (invented ids,
 * other products' prices, pockets, fabrics and UPF, so answers cannot be remembered, only read):
 * 4,214 steps, EM 0.231, catalog_context 31/136 = 0.228; the same with the loss on answers only:
 * EM 0.177, catalog_context 24/136 = 0.176. In all three the model still copies the collection from
 * the question (18-19/19) and looks up no id (0/23) or price (0/17): no run formed the lookup. Batch
 * 32 instead of 8 halves the tokens per second (4.0k against 8-9k: longer padding), so it was stopped.
 * A longer run (minutes=30; ModelRunner's 8 epochs end it first, at 774 s, 5,104 steps): training loss
 * 0.20 against held-out loss 1.44, finetuned EM 0.299 / ROUGE-L 0.524, catalog_context 41/136 = 0.301,
 * still no id (0/23) or price (0/17): more epochs memorise the training products, not the lookup.
 * Rotary embedding on every head dimension (rotary_pct 1.0 instead of Pythia's 0.25, for sharper
 * positions): 3,751 steps, EM 0.245, catalog_context 34/136 = 0.250, no better. Rows with the name
 * first (so that the id, too, follows the name it belongs to in a causal model; data regenerated):
 * catalog_context 48/136 = 0.353, the same as id-first within noise, and still no id looked up (0/23).
 */
@EnabledIfSystemProperty(named = "trellis.experiment", matches = "docs_qa")
class DocsQaExperiment {

    @Test
    void tinyModelOnDocsQa() throws Exception {
        // The unit tests pin PyTorch to one thread (finetune/pom.xml); a user's run, which this measures, has every core.
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library first
        ai.djl.pytorch.jni.JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
        Path data = Path.of("../samples/src/main/resources/data/docs_qa.jsonl");
        String base = System.getProperty("trellis.experiment.base", "trellis-tiny");
        double minutes = Double.parseDouble(System.getProperty("trellis.experiment.minutes", "10"));
        // Unset properties leave ModelRunner's defaults for a built-in base (4e-3 constant, batch 8) in place.
        String lrProperty = System.getProperty("trellis.experiment.lr");
        Integer batchProperty = Integer.getInteger("trellis.experiment.batch");
        double lr = lrProperty != null ? Double.parseDouble(lrProperty) : 4e-3;
        int batch = batchProperty != null ? batchProperty : 8;
        Path runDir = Files.createTempDirectory("docs-qa-experiment");
        ModelRunner.Builder builder = ModelRunner.builder();
        String promptProperty = System.getProperty("trellis.experiment.trainOnPrompt");
        if (promptProperty != null) {
            builder.trainOnPrompt(Boolean.parseBoolean(promptProperty));
        }
        builder.isolatedSpaces(Boolean.getBoolean("trellis.experiment.isolatedSpaces"));
        try (ModelRunner runner = builder.baseModel(base).runDir(runDir).maxNewTokens(24)
                .trainingTimeLimit(Duration.ofMillis((long) (minutes * 60_000)))
                .trainingArguments(a -> {
                    a.loggingSteps(25);
                    if (lrProperty != null) {
                        a.learningRate(lr);
                    }
                    return batchProperty != null ? a.perDeviceTrainBatchSize(batch) : a;
                })
                .build()) {
            runner.loadDataFromJsonLines(data, "question", "answer");
            long t0 = System.nanoTime();
            var out = runner.train();
            double trainS = (System.nanoTime() - t0) / 1e9;
            ModelComparison c = runner.evaluate();
            Map<String, String> kindByLine = new HashMap<>();
            for (InstructionExample e : runner.data().test().examples()) {
                kindByLine.put("line-" + e.line(), e.field("kind"));
            }
            System.out.printf(Locale.ROOT, "EXPERIMENT base=%s lr=%s batch=%d steps=%d train_s=%.0f loss=%.4f%n",
                    base, lr, batch, out.globalStep(), trainS, out.trainingLoss());
            for (EvaluationResult r : new EvaluationResult[] {c.base(), c.finetuned()}) {
                System.out.println("EXPERIMENT " + r);
                Map<String, int[]> perKind = new HashMap<>();
                for (EvaluationRow row : r.rows()) {
                    int[] k = perKind.computeIfAbsent(kindByLine.get(row.example().id()), x -> new int[2]);
                    k[0] += row.exactMatch() ? 1 : 0;
                    k[1]++;
                }
                perKind.forEach((k, v) -> System.out.printf(Locale.ROOT, "EXPERIMENT   %s EM %d/%d = %.3f%n",
                        k, v[0], v[1], (double) v[0] / v[1]));
            }
            System.out.println("EXPERIMENT outputs in " + out.outputDir());
        }
    }
}
