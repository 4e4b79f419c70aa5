package dev.trellis.samples;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.agents.AgentExecutor;
import dev.trellis.agents.AgentType;
import dev.trellis.agents.Agents;
import dev.trellis.agents.tools.AgentTool;
import dev.trellis.agents.tools.JavaReplTool;
import dev.trellis.agents.tools.Tools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The course's agents section: built-in tools, a Java-writing agent, and a tool of your own. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Agents, as in LangChain's agents lesson: a ReAct agent with a calculator (llm-math) and"
                + " Wikipedia, an agent that writes and runs Java in a sandbox, and an agent with a @Tool of our own.",
                "Wikipedia needs the network; offline its tool reports the failure and the agent goes on."},
        footerHeading = "%nExample:%n",
        footer = {"  trellis agent --wikipedia"})
public final class AgentCommand implements Callable<Integer> {

    @Mixin
    ModelOptions models;

    @Option(names = "--wikipedia", description = "Also ask the Wikipedia question (needs the network).")
    boolean wikipedia;

    @Option(names = "--java", paramLabel = "JAVA",
            description = "The java executable (a Java 17-23 bin/java) the Java agent's sandbox runs on"
                    + " (default: the one running trellis). Java 24+ cannot enforce the sandbox.")
    Path java;

    private final PrintStream out = System.out;

    /** A tool of our own: the model cannot know today's date. */
    public static final class DateTools {
        @Tool("Returns today's date. Use it for any question about today's date. The input should always be an"
                + " empty string; any date arithmetic happens outside this tool.")
        public String time(String text) {
            return LocalDate.now().toString();
        }
    }

    @Override
    public Integer call() throws Exception {
        ChatModel llm = models.chatModel(out);
        // Checked first: a sandbox that cannot run is the user's setup to fix, before any model call.
        try (JavaReplTool repl = java != null ? JavaReplTool.builder().javaExecutable(java).build() : JavaReplTool.create()) {
            run(llm, repl);
        }
        return 0;
    }

    private void run(ChatModel llm, JavaReplTool repl) throws Exception {
        out.println("\n=== Built-in tools: llm-math and wikipedia ===");
        List<AgentTool> tools = Tools.load(List.of("llm-math", "wikipedia"), llm);
        try (AgentExecutor agent = Agents.agentBuilder(tools, llm, AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .handleParsingErrors(true).maxIterations(3).verbose(true).build()) {
            out.println(agent.run("What is 25% of 300?"));
            if (wikipedia) {
                out.println(agent.run("Ada Lovelace wrote notes on Charles Babbage's Analytical Engine."
                        + " Which program did those notes contain?"));
            }
        }

        out.println("\n=== A Java agent ===");
        List<List<String>> customerList = List.of(List.of("Grace", "Hopper"), List.of("Alan", "Turing"),
                List.of("Ada", "Lovelace"), List.of("Edsger", "Dijkstra"), List.of("Barbara", "Liskov"),
                List.of("Donald", "Knuth"), List.of("Niklaus", "Wirth"));
        // a JShell in a sandboxed JVM
        try (AgentExecutor agent = Agents.javaAgentBuilder(llm, repl).maxIterations(3).verbose(true).build()) {
            out.println(agent.run("Sort these customers by last name and then first name and print the output: "
                    + customerList));
        }

        out.println("\n=== A tool of our own ===");
        List<AgentTool> withDate = new ArrayList<>(Tools.load(List.of("llm-math"), llm));
        withDate.addAll(Tools.fromObject(new DateTools()));
        try (AgentExecutor agent = Agents.agentBuilder(withDate, llm, AgentType.CHAT_ZERO_SHOT_REACT_DESCRIPTION)
                .handleParsingErrors(true).maxIterations(3).verbose(true).build()) {
            out.println(agent.run("What's the date today?"));
        }
    }
}
