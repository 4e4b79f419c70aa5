package dev.trellis.samples.finetune;

import dev.trellis.finetune.data.BadRecordPolicy;
import dev.trellis.finetune.data.DatasetSplit;
import dev.trellis.finetune.data.FieldMapping;
import dev.trellis.finetune.data.DatasetTokenizer;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.PreparationSummary;
import dev.trellis.finetune.data.PromptCompletion;
import dev.trellis.finetune.data.Side;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.BpeVocabulary;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;
import dev.trellis.samples.SampleData;
import dev.trellis.samples.OutputDirectory;
import dev.trellis.samples.TrellisHome;
import dev.trellis.samples.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The course's data preparation: template the questions, split, tokenize. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Prepare instruction data for finetuning: fill the prompt template, split into train and"
                + " test, tokenize (prompt masked, answer + end-of-sequence learned) and write the splits.",
                "Without --tokenizer a byte-level BPE tokenizer is trained on the data and saved next to it."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis finetune prepare --data my_qa.jsonl --template alpaca --max-length 512 --output /tmp/my-qa"})
public final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE",
            description = "Question/answer examples as JSONL, a JSON array or CSV (default: the bundled docs_qa.jsonl).")
    Path data;

    @Option(names = "--template", defaultValue = "question_answer",
            description = "Prompt template: question_answer, alpaca or none (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Directory or tokenizer.json to tokenize with.")
    Path tokenizer;

    @Option(names = "--max-length", defaultValue = "256",
            description = "Longest training sequence in tokens; longer examples lose their start (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--test-size", defaultValue = "0.1",
            description = "Fraction held out for testing when the data has no 'split' field (default: ${DEFAULT-VALUE}).")
    double testSize;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Where train.jsonl, test.jsonl and the tokenizer go (default: $TRELLIS_HOME/prepared).")
    Path output;

    @Option(names = "--prompt-field", paramLabel = "NAME",
            description = "The field holding the question or instruction (default: detected: question, instruction, input).")
    String promptField;

    @Option(names = "--answer-field", paramLabel = "NAME",
            description = "The field holding the answer (default: detected: answer, response, output, text)."
                    + " Alone, without --prompt-field, the field is plain text trained on whole.")
    String answerField;

    @Option(names = "--input-field", paramLabel = "NAME",
            description = "An optional field of extra context for the prompt (Alpaca's input).")
    String inputField;

    @Option(names = "--skip-bad-records",
            description = "Leave out records that are not usable (invalid JSON, a missing or empty field) and list them,"
                    + " instead of stopping.")
    boolean skipBadRecords;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path file = data != null ? data : SampleData.file(SampleData.DOCS_QA);
        Path dir = output != null ? output : TrellisHome.directory().resolve("prepared");
        // Every mistake in the arguments is reported before anything is read or written.
        if (maxLength < 1) {
            throw new UserError("--max-length " + maxLength + ": a training sequence needs at least 1 token;"
                    + " give a positive number such as 256");
        }
        if (!(testSize > 0 && testSize < 1)) {
            throw new UserError("--test-size " + testSize + ": give a fraction strictly between 0 and 1, such as 0.1");
        }
        InstructionTemplate promptTemplate = InstructionTemplate.named(template);
        InstructionDataset.Loader loader = InstructionDataset.loader()
                .onBadRecord(skipBadRecords ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL);
        FieldMapping fields = fields();
        if (fields != null) {
            loader.fields(fields);
        }
        OutputDirectory.requireWritable(dir, "--output");

        InstructionDataset dataset = loader.load(file);
        out.println("Loaded " + dataset);
        for (var bad : dataset.badRecords()) {
            out.println("  skipped line " + bad.line() + ": " + bad.reason() + " - " + bad.detail());
        }
        DatasetSplit split = dataset.examples().get(0).field("split") != null
                ? dataset.splitByField("split")
                : dataset.trainTestSplit(testSize, 123);
        out.println("train: " + split.train().size() + " examples, test: " + split.test().size());
        if (split.train().size() == 0) {
            throw new UserError(file + ": no example is in the training split (its 'split' field never says 'train');"
                    + " mark some examples \"split\": \"train\", or drop the field to split by --test-size");
        }
        boolean existed = java.nio.file.Files.exists(dir);
        try {
            write(file, dir, split, promptTemplate);
        } catch (RuntimeException | Error e) {
            if (!existed) {
                // a preparation that failed leaves no half-written output directory behind
                dev.trellis.framework.io.FileTrees.deleteUnchecked(dir);
            }
            throw e;
        }
        return 0;
    }

    private FieldMapping fields() {
        if (promptField == null && answerField == null) {
            if (inputField != null) {
                throw new UserError("--input-field " + inputField + " needs --prompt-field and --answer-field too");
            }
            return null;
        }
        if (answerField == null) {
            throw new UserError("--prompt-field " + promptField + " needs --answer-field too: name the field that holds"
                    + " the answer");
        }
        FieldMapping mapping = promptField == null ? new FieldMapping(null, null, answerField)
                : FieldMapping.of(promptField, answerField);
        if (inputField != null) {
            if (promptField == null) {
                throw new UserError("--input-field " + inputField + " needs --prompt-field too");
            }
            mapping = mapping.withInputKey(inputField);
        }
        return mapping;
    }

    private void write(Path file, Path dir, DatasetSplit split, InstructionTemplate promptTemplate) {
        PromptCompletion first = split.train().hydrate(promptTemplate).get(0);
        out.println("\nOne templated example:\n" + first.prompt() + first.completion() + "\n");

        try (TrellisTokenizer tok = tokenizer != null ? HfTokenizer.load(tokenizer) : trainTokenizer(split, promptTemplate, dir)) {
            DatasetTokenizer datasetTokenizer = DatasetTokenizer.builder()
                    .tokenizer(tok).template(promptTemplate).maxLength(maxLength).truncationSide(Side.LEFT).build();
            TokenizedDataset train = datasetTokenizer.tokenize(split.train());
            TokenizedDataset test = datasetTokenizer.tokenize(split.test());
            out.printf("%-6s %9s %9s %9s %10s %15s%n", "split", "examples", "sequences", "truncated", "tokens", "labelled tokens");
            for (var entry : java.util.Map.of("train", train, "test", test).entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, TokenizedDataset>comparingByKey().reversed()).toList()) {
                PreparationSummary s = entry.getValue().summary();
                out.printf("%-6s %9d %9d %9d %10d %15d%n", entry.getKey(), s.examples(), s.sequences(), s.truncated(),
                        s.tokens(), s.labelledTokens());
            }
        }
        split.train().writeJsonl(dir.resolve("train.jsonl"));
        split.test().writeJsonl(dir.resolve("test.jsonl"));
        out.println("Wrote " + dir.resolve("train.jsonl") + " and " + dir.resolve("test.jsonl"));
    }

    private TrellisTokenizer trainTokenizer(DatasetSplit split, InstructionTemplate promptTemplate, Path dir) {
        List<String> texts = split.train().hydrate(promptTemplate).stream().map(PromptCompletion::text).toList();
        Path tokenizerDir = dir.resolve("tokenizer");
        BpeVocabulary vocabulary = BpeTrainer.builder().vocabSize(4096).build().train(texts);
        vocabulary.save(tokenizerDir);
        out.println("Trained a BPE tokenizer (" + vocabulary.size() + " tokens) on the training split: " + tokenizerDir);
        return HfTokenizer.load(tokenizerDir);
    }
}
