package dev.trellis.agents;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.framework.chains.BaseChain;
import dev.trellis.framework.chains.ChainValidationException;
import dev.trellis.framework.tracing.ChainRun;
import dev.trellis.framework.tracing.VerbosePrinter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs an agent: asks the model what to do, runs the tools it picks, shows it what they
 * answered, and repeats until it gives a final answer or a limit stops it (LangChain's
 * {@code AgentExecutor}). A framework {@code Chain}: input key {@code input}, output key
 * {@code output}, plus {@code intermediate_steps} with {@link Builder#returnIntermediateSteps}.
 *
 * <pre>{@code
 * AgentExecutor agent = AgentExecutor.builder()
 *         .llm(llm)
 *         .tools(Tools.load(List.of("llm-math", "wikipedia"), llm))
 *         .agentType(AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
 *         .handleParsingErrors(true)
 *         .verbose(true)
 *         .build();
 * Map<String, Object> result = agent.call("What is the 25% of 300?");
 * }</pre>
 *
 * <p>Nothing ends in a hang or a crash of the loop: an unknown tool name and a tool that throws
 * become observations the model can react to; an unreadable answer becomes an observation with
 * {@code handleParsingErrors}, else an {@link AgentOutputParserException}; a model that never
 * finishes is stopped by {@code maxIterations} (15 by default) or {@code maxExecutionTime}, which
 * also bounds a single model call or tool that hangs.
 *
 * <p>{@link #stream} streams the final answer: the text after "Final Answer:" for the ReAct
 * protocols; for {@link AgentType#TOOL_CALLING} the text the model writes (the answer, and any
 * words it writes beside its tool calls, which cannot be told apart until the reply ends); a
 * {@linkplain AgentTool#returnDirect() return-direct} tool's result whole.
 *
 * <p>{@link #close()} releases what the executor owns ({@link Builder#owns(AutoCloseable)}), e.g. the
 * sandbox of {@link Agents#javaAgent}; tools given with {@code tools(...)} stay the caller's.
 */
public class AgentExecutor extends BaseChain implements AutoCloseable {

    public static final String INPUT_KEY = "input";
    public static final String OUTPUT_KEY = "output";
    public static final String INTERMEDIATE_STEPS_KEY = "intermediate_steps";

    /** LangChain's default. */
    public static final int DEFAULT_MAX_ITERATIONS = 15;

    private static final AtomicInteger WORKER_IDS = new AtomicInteger();
    // Daemon workers: a tool that ignores interruption after its deadline cannot keep the JVM alive.
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "trellis-agent-worker-" + WORKER_IDS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final ChatModel llm;
    private final Map<String, AgentTool> tools;
    private final AgentType agentType;
    private final String prefix;
    private final Function<AgentOutputParserException, String> parsingErrorHandler;
    private final Integer maxIterations;
    private final Duration maxExecutionTime;
    private final EarlyStoppingMethod earlyStoppingMethod;
    private final boolean returnIntermediateSteps;
    private final List<String> outputKeys;
    private final List<AgentTool> toolOrder;
    private final List<AutoCloseable> owned;
    private final boolean printSteps;

    protected AgentExecutor(Builder builder) {
        super(builder);
        this.llm = Objects.requireNonNull(builder.llm, "AgentExecutor needs llm(ChatModel)");
        this.agentType = Objects.requireNonNull(builder.agentType, "agentType");
        if (builder.tools.isEmpty()) {
            throw new ChainValidationException("AgentExecutor needs at least one tool: builder().tools(...) "
                    + "(Tools.load, Tools.fromObject or AgentTool.of)");
        }
        Map<String, AgentTool> byName = new LinkedHashMap<>();
        for (AgentTool tool : builder.tools) {
            AgentTool previous = byName.putIfAbsent(tool.name(), tool);
            if (previous != null) {
                throw new ChainValidationException("two tools are named '" + tool.name() + "' (" + previous + " and "
                        + tool + "); tool names must be unique so the model can choose");
            }
        }
        this.tools = Map.copyOf(byName);
        this.toolOrder = List.copyOf(byName.values());
        this.prefix = builder.prefix;
        this.parsingErrorHandler = builder.parsingErrorHandler;
        if (builder.maxIterations != null && builder.maxIterations < 1) {
            throw new ChainValidationException("maxIterations must be at least 1, got " + builder.maxIterations
                    + "; use null for no limit (with a maxExecutionTime)");
        }
        this.maxIterations = builder.maxIterations;
        if (builder.maxExecutionTime != null && (builder.maxExecutionTime.isNegative() || builder.maxExecutionTime.isZero())) {
            throw new ChainValidationException("maxExecutionTime must be positive, got " + builder.maxExecutionTime);
        }
        this.maxExecutionTime = builder.maxExecutionTime;
        if (maxIterations == null && maxExecutionTime == null) {
            throw new ChainValidationException("maxIterations(null) without maxExecutionTime would let a looping model "
                    + "run forever; set maxExecutionTime(Duration) too, or keep an iteration limit");
        }
        this.earlyStoppingMethod = Objects.requireNonNull(builder.earlyStoppingMethod, "earlyStoppingMethod");
        this.returnIntermediateSteps = builder.returnIntermediateSteps;
        this.outputKeys = returnIntermediateSteps ? List.of(OUTPUT_KEY, INTERMEDIATE_STEPS_KEY) : List.of(OUTPUT_KEY);
        this.owned = List.copyOf(builder.owned);
        this.printSteps = builder.printSteps;
    }

    /** Closes the resources this executor owns, in reverse order; the first failure is thrown after all were tried. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<String> inputKeys() {
        return List.of(INPUT_KEY);
    }

    @Override
    protected String answerKey() {
        return OUTPUT_KEY;
    }

    @Override
    public List<String> outputKeys() {
        return outputKeys;
    }

    /**
     * Verbose output shows the steps (thoughts, actions, observations, the answer) like LangChain's
     * {@code verbose=True}; the full prompts are in the debug trace ({@code Tracing.debug(true)}).
     */
    @Override
    public boolean verbose() {
        return printSteps;
    }

    @Override
    protected Map<String, Object> doCall(Map<String, Object> inputs, ChainRun run) {
        if (!printSteps) {
            return loop(inputs, run);
        }
        VerbosePrinter.INSTANCE.onChainStart(run, inputs);
        try {
            Map<String, Object> outputs = loop(inputs, run);
            VerbosePrinter.INSTANCE.onChainEnd(run, outputs);
            return outputs;
        } catch (RuntimeException | Error e) {
            VerbosePrinter.INSTANCE.onChainError(run, e);
            throw e;
        }
    }

    /** Tells the chain's listeners, and prints when verbose. */
    private void step(ChainRun run, String text) {
        run.text(text);
        if (printSteps) {
            VerbosePrinter.INSTANCE.onText(run, text);
        }
    }

    /** The model's text as it continues the prompt: text ReAct prompts end with "Thought:". */
    private String thought(String log) {
        String trimmed = log.strip();
        return agentType == AgentType.ZERO_SHOT_REACT_DESCRIPTION && !trimmed.startsWith("Thought") ? "Thought: " + trimmed : trimmed;
    }

    private Map<String, Object> loop(Map<String, Object> inputs, ChainRun run) {
        String question = String.valueOf(inputs.get(INPUT_KEY));
        AgentPlanner planner = planner(question);
        List<AgentStep> steps = new ArrayList<>();
        long deadline = maxExecutionTime == null ? Long.MAX_VALUE : System.nanoTime() + maxExecutionTime.toNanos();
        int iterations = 0;
        String stopReason = null;
        while (stopReason == null) {
            if (maxIterations != null && iterations >= maxIterations) {
                stopReason = "iteration limit (" + maxIterations + ")";
                break;
            }
            if (System.nanoTime() >= deadline) {
                stopReason = "time limit (" + maxExecutionTime.toMillis() + " ms)";
                break;
            }
            iterations++;
            AgentPlanner.Plan plan;
            try {
                plan = withDeadline(() -> planner.plan(steps, run), deadline);
            } catch (DeadlineException e) {
                stopReason = "time limit (" + maxExecutionTime.toMillis() + " ms)";
                break;
            } catch (AgentOutputParserException e) {
                if (parsingErrorHandler == null) {
                    throw new AgentOutputParserException(e.problem() + ". To send parse errors back to the model "
                            + "so it can try again, build the agent with handleParsingErrors(true)", e.llmOutput());
                }
                String observation = parsingErrorHandler.apply(e);
                step(run, thought(e.llmOutput()));
                step(run, "Observation: " + observation);
                steps.add(new AgentStep(AgentAction.text(AgentAction.EXCEPTION_TOOL, observation, e.llmOutput()), observation));
                continue;
            }
            if (plan.finish() != null) {
                step(run, thought(plan.finish().log()));
                return outputs(plan.finish().output(), steps);
            }
            traceActions(plan.actions(), run);
            List<String> observations;
            try {
                observations = withDeadline(() -> runTools(plan.actions()), deadline);
            } catch (DeadlineException e) {
                stopReason = "time limit (" + maxExecutionTime.toMillis() + " ms) while running " + toolNamesOf(plan.actions());
                break;
            }
            for (int i = 0; i < observations.size(); i++) {
                step(run, "Observation: " + observations.get(i));
                steps.add(new AgentStep(plan.actions().get(i), observations.get(i)));
            }
            String direct = directResult(plan.actions(), observations);
            if (direct != null) {
                run.tokenSink().ifPresent(sink -> run.token(direct, sink));
                return outputs(direct, steps);
            }
        }
        return outputs(stopped(stopReason, planner, steps, run, deadline), steps);
    }

    /**
     * The answer when every tool called this turn returns directly (LangChain's
     * {@code return_direct}, which it allows for single-action turns): the observations, one per
     * line. {@code null} when the run goes on.
     */
    private String directResult(List<AgentAction> actions, List<String> observations) {
        for (AgentAction action : actions) {
            AgentTool tool = tools.get(action.tool());
            if (tool == null || !tool.returnDirect()) {
                return null;
            }
        }
        return String.join("\n", observations);
    }

    private AgentPlanner planner(String question) {
        return switch (agentType) {
            case ZERO_SHOT_REACT_DESCRIPTION -> new ReActPlanner(llm, false, prefixOr(AgentPrompts.DEFAULT_PREFIX), toolOrder, question);
            case CHAT_ZERO_SHOT_REACT_DESCRIPTION -> new ReActPlanner(llm, true, prefixOr(AgentPrompts.DEFAULT_PREFIX), toolOrder, question);
            case TOOL_CALLING -> new ToolCallingPlanner(llm, prefixOr(AgentPrompts.TOOL_CALLING_SYSTEM), toolOrder, question);
        };
    }

    private String prefixOr(String fallback) {
        return prefix == null ? fallback : prefix;
    }

    private String stopped(String reason, AgentPlanner planner, List<AgentStep> steps, ChainRun run, long deadline) {
        String forced = "Agent stopped due to " + reason + ".";
        step(run, forced);
        if (earlyStoppingMethod == EarlyStoppingMethod.FORCE || System.nanoTime() >= deadline) {
            return forced;
        }
        try {
            AgentFinish finish = withDeadline(() -> planner.finalAnswer(steps, run), deadline);
            step(run, thought(finish.log()));
            return finish.output();
        } catch (DeadlineException e) {
            return forced;
        }
    }

    private Map<String, Object> outputs(String output, List<AgentStep> steps) {
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put(OUTPUT_KEY, output);
        if (returnIntermediateSteps) {
            out.put(INTERMEDIATE_STEPS_KEY, List.copyOf(steps));
        }
        return out;
    }

    /** Runs the actions, several at once when the model asked for several; observations in call order. */
    private List<String> runTools(List<AgentAction> actions) throws InterruptedException {
        if (actions.size() == 1) {
            return List.of(observe(actions.get(0)));
        }
        List<Future<String>> futures = new ArrayList<>(actions.size());
        for (AgentAction action : actions) {
            futures.add(WORKERS.submit(() -> observe(action)));
        }
        List<String> observations = new ArrayList<>(actions.size());
        try {
            for (Future<String> future : futures) {
                observations.add(future.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a tool runner failed unexpectedly", e.getCause());
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
        return observations;
    }

    /** What a tool answered, or why there is no answer: never throws for a tool's failure. */
    private String observe(AgentAction action) {
        AgentTool tool = tools.get(action.tool());
        if (tool == null) {
            return action.tool() + " is not a valid tool, try one of [" + AgentPrompts.toolNames(toolOrder) + "].";
        }
        try {
            String result = action.jsonArguments() ? tool.runJson(action.toolInput()) : tool.run(action.toolInput());
            if (result == null) {
                return "Error: tool '" + tool.name() + "' returned no result.";
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Error: tool '" + tool.name() + "' was interrupted.";
        } catch (Exception e) {
            return "Error: tool '" + tool.name() + "' failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private void traceActions(List<AgentAction> actions, ChainRun run) {
        String previousLog = null;
        for (AgentAction action : actions) {
            if (!action.log().isBlank() && !action.log().equals(previousLog)) {
                step(run, thought(action.log()));
                previousLog = action.log();
            }
            if (action.toolCallId() != null) {
                step(run, "Tool call " + action.toolCallId() + ": " + action.tool() + "(" + action.toolInput() + ")");
            }
        }
    }

    private static String toolNamesOf(List<AgentAction> actions) {
        return actions.stream().map(AgentAction::tool).distinct().toList().toString();
    }

    /** Runs on the caller's thread without a time limit; with one, on a worker that is abandoned at the deadline. */
    private <T> T withDeadline(Callable<T> work, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new DeadlineException();
        }
        Future<T> future = WORKERS.submit(work);
        try {
            return future.get(remaining, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DeadlineException();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("agent '" + name() + "' was interrupted", e);
        } catch (CancellationException e) {
            throw new DeadlineException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public ChatModel llm() {
        return llm;
    }

    public AgentType agentType() {
        return agentType;
    }

    /** The tools, in the order the model sees them. */
    public List<AgentTool> tools() {
        return toolOrder;
    }

    /** The deadline passed while the model or a tool was working. */
    private static final class DeadlineException extends RuntimeException {
        DeadlineException() {
            super(null, null, false, false);
        }
    }

    /** Builds an {@link AgentExecutor}; name, verbose and listeners come from {@link BaseChain.Builder}. */
    public static class Builder extends BaseChain.Builder<Builder> {
        private ChatModel llm;
        private final List<AgentTool> tools = new ArrayList<>();
        private AgentType agentType = AgentType.ZERO_SHOT_REACT_DESCRIPTION;
        private String prefix;
        private Function<AgentOutputParserException, String> parsingErrorHandler;
        private Integer maxIterations = DEFAULT_MAX_ITERATIONS;
        private Duration maxExecutionTime;
        private EarlyStoppingMethod earlyStoppingMethod = EarlyStoppingMethod.FORCE;
        private boolean returnIntermediateSteps;
        private final List<AutoCloseable> owned = new ArrayList<>();
        private boolean printSteps;

        protected Builder() {
        }

        /**
         * Print each step (thought, action, observation, answer) as it happens, like LangChain's
         * {@code verbose=True}; prompts are left to {@code Tracing.debug(true)}.
         */
        @Override
        public Builder verbose(boolean verbose) {
            this.printSteps = verbose; // not the chain's own verbose: that would print every full prompt again
            return this;
        }

        public Builder llm(ChatModel llm) {
            this.llm = llm;
            return this;
        }

        /** A streaming-only model (e.g. {@code OpenAiStreamingChatModel}); {@code call} waits for its whole answers. */
        public Builder streamingLlm(dev.langchain4j.model.chat.StreamingChatModel llm) {
            this.llm = dev.trellis.framework.models.StreamingOnlyChatModel.of(llm);
            return this;
        }

        /** Adds tools; their names must be unique. */
        public Builder tools(Collection<? extends AgentTool> tools) {
            tools.forEach(this::tool);
            return this;
        }

        public Builder tools(AgentTool... tools) {
            return tools(List.of(tools));
        }

        public Builder tool(AgentTool tool) {
            this.tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /** The protocol; {@link AgentType#ZERO_SHOT_REACT_DESCRIPTION} by default. */
        public Builder agentType(AgentType agentType) {
            this.agentType = agentType;
            return this;
        }

        /**
         * Replaces the opening instructions (the ReAct prompt's prefix before the tool list, or the
         * tool-calling system message).
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** With {@code true}, an unreadable answer goes back to the model as "Invalid or incomplete response: ...". */
        public Builder handleParsingErrors(boolean handle) {
            this.parsingErrorHandler = handle ? e -> "Invalid or incomplete response: " + e.problem() : null;
            return this;
        }

        /** An unreadable answer goes back to the model as this fixed observation. */
        public Builder handleParsingErrors(String observation) {
            Objects.requireNonNull(observation, "observation");
            this.parsingErrorHandler = e -> observation;
            return this;
        }

        /** An unreadable answer goes back to the model as what this function makes of the error. */
        public Builder handleParsingErrors(Function<AgentOutputParserException, String> handler) {
            this.parsingErrorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Most model turns before the agent stops; 15 by default, {@code null} for none (then maxExecutionTime is required). */
        public Builder maxIterations(Integer maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Wall-clock limit for a whole run, hanging model calls and tools included; none by default. */
        public Builder maxExecutionTime(Duration maxExecutionTime) {
            this.maxExecutionTime = maxExecutionTime;
            return this;
        }

        /** What to answer when a limit stops the agent; {@link EarlyStoppingMethod#FORCE} by default. */
        public Builder earlyStoppingMethod(EarlyStoppingMethod method) {
            this.earlyStoppingMethod = method;
            return this;
        }

        /** Also return every (action, observation) step under {@code intermediate_steps}. */
        public Builder returnIntermediateSteps(boolean returnIntermediateSteps) {
            this.returnIntermediateSteps = returnIntermediateSteps;
            return this;
        }

        /** Hands a resource (a tool's sandbox, a connection) to the executor: {@link #close()} closes it. */
        public Builder owns(AutoCloseable resource) {
            this.owned.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        public AgentExecutor build() {
            if (name == null) {
                name = "AgentExecutor(" + agentType + ")";
            }
            return new AgentExecutor(this);
        }
    }
}
