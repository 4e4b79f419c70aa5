package dev.trellis.samples;

import dev.trellis.agents.tools.sandbox.JavaSandboxException;
import dev.trellis.finetune.data.BadRecord;
import dev.trellis.finetune.data.BadRecordsException;
import dev.trellis.finetune.data.DatasetFormatException;
import dev.trellis.finetune.model.CheckpointException;
import dev.trellis.finetune.model.safetensors.SafetensorsException;
import dev.trellis.finetune.serve.ServerStartException;
import dev.trellis.finetune.tokenizer.TokenizerException;
import dev.trellis.finetune.train.TrainingConfigException;
import dev.trellis.framework.memory.CorruptChatMemoryException;
import dev.trellis.framework.models.ModelConfigurationException;
import dev.trellis.retrieval.loaders.DocumentLoadException;
import dev.trellis.retrieval.loaders.MalformedRecordException;
import dev.trellis.retrieval.qa.DocumentTooLargeException;
import dev.trellis.retrieval.qa.IndexBuildException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.stream.Collectors;

/**
 * Turns a user's mistake (no model configured, a bad path, value or file, a port in use) into one
 * message naming the input and the flag that fixes it, exit code 2, with the stack trace only under
 * {@code --verbose}; anything else is a bug or an outage and keeps its stack trace, exit code 1.
 *
 * <p>Library exceptions word their advice for the API ({@code lenient(true)}, {@code overwriteOutputDir});
 * here they are reworded for the command line, naming the flag the command at hand has.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    static final int CONFIGURATION_ERROR = 2;
    static final String VERBOSE = "--verbose";

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        String message = userMessage(e, command.getCommandSpec());
        if (message == null) {
            e.printStackTrace(err);
            return 1;
        }
        err.println(command.getColorScheme().errorText(command.getCommandSpec().qualifiedName() + ": " + message));
        if (verbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return CONFIGURATION_ERROR;
    }

    /** Whether {@code --verbose} was given to the command or any of its parents. */
    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }

    /** The command-line message for a user's mistake, or null when {@code e} is not one. */
    static String userMessage(Throwable e, CommandSpec command) {
        // A known mistake may arrive wrapped (by a chain, a memory, an executor): look through the causes.
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = specific(t, command);
            if (message != null) {
                return message;
            }
        }
        if (e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        FileSystemException denied = unwritable(e);
        if (denied != null) {
            return "cannot write " + denied.getFile() + " (" + (denied.getReason() != null ? denied.getReason()
                    : "permission denied") + "); choose a directory you can write to"
                    + (has(command, "--output") ? " with --output" : "");
        }
        return null;
    }

    private static String specific(Throwable e, CommandSpec command) {
        if (e instanceof UserError) {
            return e.getMessage();
        }
        if (e instanceof MalformedRecordException m) {
            return m.source() + " line " + m.line() + ": " + m.reason() + ". Fix the record"
                    + (has(command, "--lenient") ? ", or pass --lenient to skip malformed rows" : "");
        }
        if (e instanceof DocumentTooLargeException big) {
            return big.document() + " has " + String.format("%,d", big.length()) + " characters, more than the limit of "
                    + String.format("%,d", big.limit()) + (has(command, "--max-document-chars")
                    ? "; pass --max-document-chars N to index documents that long, or split it into smaller ones"
                    : "; split it into smaller documents");
        }
        if (e instanceof BadRecordsException bad) {
            return badRecords(bad, command);
        }
        if (e instanceof TrainingConfigException config && config.field().equals("outputDir")) {
            return "--output: " + config.getMessage().substring("outputDir: ".length())
                    .replace("pass resumeFromCheckpoint(\"latest\") to continue it, ", "")
                    .replace("overwriteOutputDir(true)", "pass --overwrite")
                    .replace("choose another outputDir", "choose another --output");
        }
        if (e instanceof CorruptChatMemoryException corrupt) {
            return "chat memory file " + corrupt.file() + " of session '" + corrupt.memoryId() + "' cannot be read: "
                    + corrupt.problem() + ". It was left untouched: restore it from a backup, delete it, or pass"
                    + (has(command, "--quarantine-corrupt") ? "" : " (to trellis chat)")
                    + " --quarantine-corrupt to move it aside (kept as " + corrupt.file().getFileName()
                    + ".corrupt-<time>) and start the session afresh";
        }
        if (e instanceof JavaSandboxException sandbox) {
            return sandbox.getMessage().replace("JavaReplTool.builder().javaExecutable(...)", "--java")
                    .replace("point javaExecutable at", "pass --java");
        }
        if (e instanceof DatasetFormatException && e.getMessage().contains("fields(FieldMapping.of(")) {
            String advice = has(command, "--prompt-field") ? "Name them with --prompt-field and --answer-field."
                    : "Name them with trellis finetune prepare --prompt-field NAME --answer-field NAME --output DIR"
                    + " (then use DIR/train.jsonl).";
            return e.getMessage().replaceAll("Name the fields with fields\\(FieldMapping\\.of\\(.*$", advice);
        }
        if (e instanceof ModelConfigurationException || e instanceof ServerStartException
                || e instanceof DocumentLoadException || e instanceof DatasetFormatException
                || e instanceof CheckpointException || e instanceof SafetensorsException
                || e instanceof TokenizerException || e instanceof IndexBuildException) {
            return e.getMessage();
        }
        return null;
    }

    private static String badRecords(BadRecordsException bad, CommandSpec command) {
        String listing = bad.badRecords().stream().limit(10)
                .map(b -> "  line " + b.line() + ": " + describe(b))
                .collect(Collectors.joining("\n"));
        int n = bad.badRecords().size();
        String source = bad.badRecords().get(0).source();
        return source + " has " + n + " bad record" + (n == 1 ? "" : "s") + ":\n" + listing
                + (n > 10 ? "\n  ... and " + (n - 10) + " more" : "") + "\n"
                + (has(command, "--skip-bad-records") ? "Fix them, or pass --skip-bad-records to leave them out."
                : "Fix them, or write a copy without them: trellis finetune prepare --data " + source
                + " --skip-bad-records --output DIR (then use DIR/train.jsonl).");
    }

    private static String describe(BadRecord record) {
        return record.reason().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " - " + record.detail();
    }

    /** A write refused by permissions or a read-only file system, anywhere in the cause chain. */
    private static FileSystemException unwritable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException denied) {
                return denied;
            }
            if (t instanceof FileSystemException fs && fs.getReason() != null
                    && (fs.getReason().contains("Read-only file system") || fs.getReason().contains("Operation not permitted"))) {
                return fs;
            }
            if (t instanceof UncheckedIOException && t.getCause() == null) {
                break;
            }
        }
        return null;
    }

    private static boolean has(CommandSpec command, String option) {
        return command.findOption(option) != null;
    }
}
