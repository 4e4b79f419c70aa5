package dev.trellis.agents;

import dev.trellis.agents.tools.JavaReplTool;
import dev.trellis.testing.ScriptedChatModel;
import dev.trellis.framework.tracing.Tracing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The course's Python agent, for Java: a scripted model writes real Java that runs in the real sandbox. */
class JavaAgentTest {

    private static final String CUSTOMERS = "[[\"Ada\", \"Lovelace\"], [\"Alan\", \"Turing\"], [\"Grace\", \"Hopper\"], "
            + "[\"Donald\", \"Knuth\"], [\"Barbara\", \"Liskov\"], [\"Ann\", \"Knuth\"], [\"Edsger\", \"Dijkstra\"]]";

    /** What a model would write: real Java, which only the sandbox can turn into the sorted list. */
    private static final String SORTING_CODE = """
            var customers = new ArrayList<List<String>>(List.of(
                List.of("Ada", "Lovelace"), List.of("Alan", "Turing"), List.of("Grace", "Hopper"),
                List.of("Donald", "Knuth"), List.of("Barbara", "Liskov"), List.of("Ann", "Knuth"),
                List.of("Edsger", "Dijkstra")));
            customers.sort(Comparator.comparing((List<String> c) -> c.get(1)).thenComparing(c -> c.get(0)));
            System.out.println(customers);""";

    @AfterEach
    void restoreVerboseOutput() {
        Tracing.verboseOutput(System.out);
        Tracing.debug(false);
    }

    @Test
    void sortsTheCustomerListByRunningJavaInTheSandbox() throws Exception {
        ScriptedChatModel llm = ScriptedChatModel.answering(messages -> {
            String prompt = AgentExecutorTest.lastUserText(messages);
            String observation = AgentExecutorTest.lastObservation(prompt);
            if (prompt.contains("/etc/passwd")) {
                return observation == null
                        ? " I will read the file.\nAction: java_repl\nAction Input: System.out.println(java.nio.file.Files.readString(java.nio.file.Path.of(\"/etc/passwd\")));"
                        : " The sandbox refused.\nFinal Answer: " + observation;
            }
            if (observation == null) {
                return " I should sort the list with Java code.\nAction: java_repl\nAction Input: ```java\n" + SORTING_CODE + "\n```";
            }
            return " The code printed the sorted list.\nFinal Answer: " + observation;
        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Tracing.verboseOutput(new PrintStream(printed, true, StandardCharsets.UTF_8));

        try (JavaReplTool repl = JavaReplTool.create()) {
            AgentExecutor agent = Agents.javaAgentBuilder(llm, repl).verbose(true).returnIntermediateSteps(true).build();
            Map<String, Object> result = agent.call(
                    "Sort these customers by last name and then first name and print the output: " + CUSTOMERS);

            assertThat(result.get("output")).isEqualTo("[[Edsger, Dijkstra], [Grace, Hopper], [Ann, Knuth], "
                    + "[Donald, Knuth], [Barbara, Liskov], [Ada, Lovelace], [Alan, Turing]]");
            @SuppressWarnings("unchecked")
            List<AgentStep> steps = (List<AgentStep>) result.get("intermediate_steps");
            assertThat(steps).hasSize(1);
            assertThat(steps.get(0).action().tool()).isEqualTo("java_repl");
            assertThat(steps.get(0).action().toolInput()).startsWith("```java\nvar customers");
            String firstPrompt = AgentExecutorTest.lastUserText(llm.requests().get(0).messages());
            assertThat(firstPrompt).startsWith(Agents.JAVA_AGENT_PREFIX).contains("java_repl: A Java REPL (JShell).");
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Observation: [[Edsger, Dijkstra]");

            // The same agent and sandbox: an escape attempt is refused, reported, and the agent goes on.
            Object refused = agent.call("Print the contents of /etc/passwd").get("output");
            assertThat((String) refused).contains("refused").contains("/etc/passwd").doesNotContain("root:");
        }
    }

    @Test
    void theDefaultJavaAgentOwnsAndClosesItsSandbox() throws Exception {
        ScriptedChatModel llm = ScriptedChatModel.replying(
                " Compute it.\nAction: java_repl\nAction Input: System.out.println(6 * 7);",
                " Done.\nFinal Answer: 42");
        AgentExecutor agent = Agents.javaAgent(llm);
        assertThat(agent.run("What is 6 times 7?")).isEqualTo("42");
        assertThat(AgentExecutorTest.lastUserText(llm.requests().get(1).messages())).contains("Observation: 42\nThought: ");
        agent.close();
        assertThatThrownBy(() -> agent.tools().get(0).run("System.out.println(1);"))
                .as("closing the agent closed the sandbox it owns")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
