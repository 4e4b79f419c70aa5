package dev.trellis.agents.tools.sandbox;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs source text through JShell inside the sandbox JVM, one complete snippet at a time, and turns
 * what happened into a response: outcome, printed output, diagnostics or exception, refusals.
 */
final class SnippetEvaluator {

    private static final int MAX_DETAIL_CHARS = 4_000;

    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final CappedOutput capture;
    private final Refusals refusals;
    private Set<Thread> startupThreads = Set.of();

    SnippetEvaluator(JShell shell, CappedOutput capture, Refusals refusals) {
        this.shell = shell;
        this.analysis = shell.sourceCodeAnalysis();
        this.capture = capture;
        this.refusals = refusals;
    }

    /** Remembers the JVM's and JShell's own threads, so threads left behind by snippets can be told apart. */
    void snapshotStartupThreads() {
        startupThreads = Collections.newSetFromMap(new IdentityHashMap<>());
        startupThreads.addAll(Thread.getAllStackTraces().keySet());
    }

    /** Response fields: outcome, output, detail, refusals (one per line), restart ("true"/"false"). */
    List<String> evaluate(String source) {
        capture.drain();
        refusals.drain();
        // A fresh stream per request: a PrintStream interrupted by the output cap may hold stray chars.
        PrintStream snippetStream = new PrintStream(capture, true, StandardCharsets.UTF_8);
        System.setOut(snippetStream);
        System.setErr(snippetStream);

        SandboxResult.Outcome outcome = SandboxResult.Outcome.COMPLETED;
        String lastValue = ""; // the value of the input's last snippet when it is an expression, like a REPL
        String detail = "";
        String remaining = source;
        while (outcome == SandboxResult.Outcome.COMPLETED && !remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            String snippetSource;
            switch (info.completeness()) {
                case EMPTY:
                    remaining = "";
                    continue;
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                    snippetSource = info.source();
                    remaining = info.remaining();
                    break;
                default:
                    // Incomplete or unparseable: let JShell compile all of it to get real diagnostics.
                    snippetSource = remaining;
                    remaining = "";
            }
            for (SnippetEvent event : shell.eval(snippetSource)) {
                if (event.causeSnippet() != null) {
                    continue; // a dependent snippet updated as a consequence, not this one
                }
                Snippet snippet = event.snippet();
                if (event.status() == Snippet.Status.REJECTED) {
                    outcome = SandboxResult.Outcome.COMPILE_ERROR;
                    detail = diagnostics(snippet, snippetSource);
                    break;
                }
                if (event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                    outcome = SandboxResult.Outcome.COMPILE_ERROR;
                    detail = "cannot use it yet, it refers to what is not defined: "
                            + shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet)
                                    .collect(Collectors.joining(", "));
                    break;
                }
                JShellException exception = event.exception();
                if (exception != null) {
                    outcome = isOutOfMemory(exception) ? SandboxResult.Outcome.OUT_OF_MEMORY : SandboxResult.Outcome.EXCEPTION;
                    detail = describe(exception);
                    break;
                }
                lastValue = expressionValue(snippet, event.value());
            }
        }
        snippetStream.flush();
        boolean overCap = capture.exceeded();
        if (overCap) {
            outcome = SandboxResult.Outcome.OUTPUT_LIMIT;
        }
        String output = capture.drain();
        if (!overCap && output.isEmpty()) {
            // like a REPL, but only when nothing was printed (prints are the answer), and within the output cap
            output = lastValue.length() <= capture.capBytes() / 2 ? lastValue
                    : lastValue.substring(0, capture.capBytes() / 2) + " ... (value cut; print less)";
        }
        List<String> refused = refusals.drain();
        if (!refused.isEmpty() && outcome == SandboxResult.Outcome.EXCEPTION && detail.contains("AccessControlException")) {
            detail = ""; // the refusal lines already say it, in words
        }
        boolean restart = outcome == SandboxResult.Outcome.OUT_OF_MEMORY && heapStillFull();
        int running = runningLeftoverThreads();
        if (running > 0) {
            // JShell waits only for the threads alive when the snippet started; anything still computing now
            // would escape the time limit, so it ends with the session.
            refused = new java.util.ArrayList<>(refused);
            refused.add("the code left " + running + (running == 1 ? " thread" : " threads") + " running after it ended "
                    + "(a task, CompletableFuture or thread that never finishes); background work is not allowed, so they were stopped");
            restart = true;
        }
        return List.of(outcome.name(), output, clip(detail), String.join("\n", refused), Boolean.toString(restart));
    }

    private static String expressionValue(Snippet snippet, String value) {
        if (value == null) {
            return "";
        }
        if (snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            return ((VarSnippet) snippet).name() + " ==> " + value;
        }
        if (snippet instanceof ExpressionSnippet) {
            return ((ExpressionSnippet) snippet).name() + " ==> " + value;
        }
        return "";
    }

    private String diagnostics(Snippet snippet, String source) {
        List<Diag> diags = shell.diagnostics(snippet).collect(Collectors.toList());
        if (diags.isEmpty()) {
            return "the code was rejected by the compiler: " + source.strip();
        }
        StringBuilder text = new StringBuilder();
        for (Diag diag : diags) {
            if (!diag.isError()) {
                continue;
            }
            // JShell wraps snippets in a class with no name: "location: class " says nothing
            text.append(diag.getMessage(Locale.ROOT).replaceAll("(?m)^\\s*location: class\\s*$\\R?", "").strip());
            long position = diag.getStartPosition();
            if (position >= 0 && position <= source.length()) {
                text.append("\n    at: ").append(lineAt(source, (int) position));
            }
            text.append('\n');
        }
        return text.toString().strip();
    }

    private static String lineAt(String source, int position) {
        int start = source.lastIndexOf('\n', Math.max(position - 1, 0)) + 1;
        int end = source.indexOf('\n', position);
        return source.substring(start, end < 0 ? source.length() : end).strip();
    }

    private static boolean isOutOfMemory(JShellException exception) {
        return exception instanceof EvalException
                && "java.lang.OutOfMemoryError".equals(((EvalException) exception).getExceptionClassName());
    }

    private String describe(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException) {
            jdk.jshell.DeclarationSnippet declaration = ((UnresolvedReferenceException) exception).getSnippet();
            return declaration.name() + " cannot run yet, it refers to what is not defined: "
                    + shell.unresolvedDependencies(declaration).collect(Collectors.joining(", "));
        }
        EvalException thrown = (EvalException) exception;
        StringBuilder text = new StringBuilder(thrown.getExceptionClassName());
        if (thrown.getMessage() != null) {
            // JShell's wrapper class names mean nothing to the model: "REPL.$JShell$14.s" is just "s"
            text.append(": ").append(thrown.getMessage().replaceAll("REPL\\.\\$JShell\\$\\w+\\.", ""));
        }
        return text.toString();
    }

    /**
     * Threads started by snippets (not in the startup snapshot) that are still runnable after a short
     * grace period. Idle ones (a pool waiting for work, a sleeping timer) may stay: they use no CPU.
     */
    private int runningLeftoverThreads() {
        long deadline = System.nanoTime() + 300_000_000L;
        while (true) {
            int running = 0;
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread != Thread.currentThread() && !startupThreads.contains(thread) && thread.isAlive()
                        && (thread.getState() == Thread.State.RUNNABLE || thread.getState() == Thread.State.BLOCKED)) {
                    running++;
                }
            }
            if (running == 0 || System.nanoTime() > deadline) {
                return running;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return running;
            }
        }
    }

    private static boolean heapStillFull() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        long used = runtime.totalMemory() - runtime.freeMemory();
        return used > runtime.maxMemory() * 0.7;
    }

    private static String clip(String text) {
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + " ...";
    }
}
