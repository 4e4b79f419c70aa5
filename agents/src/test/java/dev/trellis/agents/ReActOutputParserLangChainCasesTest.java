package dev.trellis.agents;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LangChain's cases for its ReAct output parsers, case for case: libs/langchain
 * tests/unit_tests/agents/test_mrkl.py, test_mrkl_output_parser.py and
 * output_parsers/test_react_single_input.py, test_react_json_single_input.py.
 */
class ReActOutputParserLangChainCasesTest {

    private final ReActOutputParser parser = new ReActOutputParser();
    private final ReActJsonOutputParser jsonParser = new ReActJsonOutputParser();

    private String[] actionAndInput(String text) {
        AgentDecision decision = parser.parse(text);
        if (decision instanceof AgentAction action) {
            return new String[] {action.tool(), action.toolInput()};
        }
        return new String[] {"Final Answer", ((AgentFinish) decision).output()};
    }

    // test_mrkl.py

    @Test
    void getActionAndInput() {
        assertThat(actionAndInput("Thought: I need to search for NBA\nAction: Search\nAction Input: NBA"))
                .containsExactly("Search", "NBA");
    }

    @Test
    void getActionAndInputWhitespace() {
        assertThat(actionAndInput("Thought: I need to search for NBA\nAction: Search \nAction Input: NBA"))
                .containsExactly("Search", "NBA");
    }

    @Test
    void getActionAndInputNewline() {
        String text = "Now I need to write a unittest for the function.\n\n"
                + "Action: Python\nAction Input:\n```\nimport unittest\n\nunittest.main()\n```";
        assertThat(actionAndInput(text)).containsExactly("Python", "```\nimport unittest\n\nunittest.main()\n```");
    }

    /** LangChain strips only spaces and keeps "ls -l ~/.bashrc.d/\n"; Trellis strips all surrounding whitespace. */
    @Test
    void getActionAndInputNewlineAfterKeyword() {
        String text = "\n    I can use the `ls` command to list the contents of the directory     and `grep` to search "
                + "for the specific file.\n\n    Action:\n    Terminal\n\n    Action Input:\n    ls -l ~/.bashrc.d/\n    ";
        assertThat(actionAndInput(text)).containsExactly("Terminal", "ls -l ~/.bashrc.d/");
    }

    @Test
    void getActionAndInputSqlQuery() {
        String text = "\n    I should query for the largest single shift payment for every unique user.\n"
                + "    Action: query_sql_db\n    Action Input:     SELECT \"UserName\", MAX(totalpayment) FROM user_shifts "
                + "GROUP BY \"UserName\" ";
        assertThat(actionAndInput(text)).containsExactly("query_sql_db",
                "SELECT \"UserName\", MAX(totalpayment) FROM user_shifts GROUP BY \"UserName\"");
    }

    @Test
    void getFinalAnswer() {
        assertThat(actionAndInput("Thought: I can now answer the question\nFinal Answer: 1994"))
                .containsExactly("Final Answer", "1994");
    }

    @Test
    void getFinalAnswerNewLine() {
        assertThat(actionAndInput("Thought: I can now answer the question\nFinal Answer:\n1994"))
                .containsExactly("Final Answer", "1994");
    }

    @Test
    void getFinalAnswerMultiline() {
        assertThat(actionAndInput("Thought: I can now answer the question\nFinal Answer: 1994\n1993"))
                .containsExactly("Final Answer", "1994\n1993");
    }

    @Test
    void badActionInputLine() {
        assertThatThrownBy(() -> parser.parse("Thought: I need to search for NBA\nAction: Search\nThought: NBA"))
                .isInstanceOf(AgentOutputParserException.class)
                .satisfies(e -> assertThat(((AgentOutputParserException) e).problem())
                        .isEqualTo("Invalid Format: Missing 'Action Input:' after 'Action:'"));
    }

    @Test
    void badActionLine() {
        assertThatThrownBy(() -> parser.parse("Thought: I need to search for NBA\nThought: Search\nAction Input: NBA"))
                .isInstanceOf(AgentOutputParserException.class)
                .satisfies(e -> assertThat(((AgentOutputParserException) e).problem())
                        .isEqualTo("Invalid Format: Missing 'Action:' after 'Thought:'"));
    }

    @Test
    void validActionAndAnswerRaisesException() {
        String text = "Thought: I need to search for NBA\nAction: Search\nAction Input: NBA\n"
                + "Observation: founded in 1994\nThought: I can now answer the question\nFinal Answer: 1994";
        assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(AgentOutputParserException.class);
    }

    // test_mrkl_output_parser.py

    @Test
    void validActionAndActionInputParse() {
        AgentDecision decision = parser.parse("I can use the `foo` tool to achieve the goal.\n    Action: foo\n    Action Input: bar");
        assertThat(decision).isEqualTo(AgentAction.text("foo", "bar",
                "I can use the `foo` tool to achieve the goal.\n    Action: foo\n    Action Input: bar"));
    }

    @Test
    void validFinalAnswerParse() {
        assertThat(((AgentFinish) parser.parse("Final Answer: The best pizza to eat is margaritta ")).output())
                .isEqualTo("The best pizza to eat is margaritta");
    }

    @Test
    void missingAction() {
        assertThatThrownBy(() -> parser.parse("I can use the `foo` tool to achieve the goal."))
                .hasMessageContaining("Missing 'Action:' after 'Thought:'");
    }

    @Test
    void missingActionInput() {
        assertThatThrownBy(() -> parser.parse("I can use the `foo` tool to achieve the goal.\n    Action: foo"))
                .hasMessageContaining("Missing 'Action Input:' after 'Action:'");
    }

    @Test
    void finalAnswerBeforeParsableAction() {
        String text = "Final Answer: The best pizza to eat is margaritta\n\n        Action: foo\n        Action Input: bar\n        ";
        AgentDecision decision = parser.parse(text);
        assertThat(decision).isEqualTo(new AgentFinish("The best pizza to eat is margaritta", text));
    }

    /** LangChain cuts the answer's last character when no blank line follows it; Trellis keeps it. */
    @Test
    void finalAnswerBeforeParsableActionWithoutBlankLine() {
        String text = "Thought: I know it\nFinal Answer: 42\nAction: search\nAction Input: more";
        assertThat(parser.parse(text)).isEqualTo(new AgentFinish("42\nAction: search\nAction Input: more", text));
    }

    @Test
    void finalAnswerAfterParsableAction() {
        String text = "\n        Observation: I can use the `foo` tool to achieve the goal.\n        Action: foo\n"
                + "        Action Input: bar\n        Final Answer: The best pizza to eat is margaritta \n        ";
        assertThatThrownBy(() -> parser.parse(text))
                .isInstanceOf(AgentOutputParserException.class)
                .hasMessageContaining("Parsing LLM output produced both a final answer and a parse-able action");
    }

    // output_parsers/test_react_single_input.py

    @Test
    void action() {
        String text = "Thought: agent thought here\nAction: search\nAction Input: what is the temperature in SF?";
        assertThat(parser.parse(text)).isEqualTo(AgentAction.text("search", "what is the temperature in SF?", text));
    }

    @Test
    void finish() {
        String text = "Thought: agent thought here\nFinal Answer: The temperature is 100";
        assertThat(parser.parse(text)).isEqualTo(new AgentFinish("The temperature is 100", text));
    }

    @Test
    void actionWithFinish() {
        String text = "Thought: agent thought here\nAction: search Final Answer:\nAction Input: what is the temperature in SF?";
        assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(AgentOutputParserException.class);
    }

    // output_parsers/test_react_json_single_input.py

    @Test
    void jsonAction() {
        String text = "Thought: agent thought here\n```\n{\n    \"action\": \"search\",\n"
                + "    \"action_input\": \"what is the temperature in SF?\"\n}\n```\n";
        assertThat(jsonParser.parse(text)).isEqualTo(AgentAction.text("search", "what is the temperature in SF?", text));
    }

    @Test
    void jsonFinish() {
        String text = "Thought: agent thought here\nFinal Answer: The temperature is 100";
        assertThat(jsonParser.parse(text)).isEqualTo(new AgentFinish("The temperature is 100", text));
    }

    @Test
    void jsonFinalAnswerBeforeAnInventedBlob() {
        String text = "Thought: I know it\nFinal Answer: 42\n\n```json\n{\"action\": \"search\", \"action_input\": \"x\"}\n```";
        assertThat(jsonParser.parse(text)).isEqualTo(new AgentFinish("42", text));
    }

    @Test
    void jsonBlobWhoseInputHoldsAFence() {
        String text = "Thought: run it\n```json\n{\"action\": \"python\", \"action_input\": \"```print(1)```\"}\n```";
        assertThat(jsonParser.parse(text)).isEqualTo(AgentAction.text("python", "```print(1)```", text));
    }

    @Test
    void jsonBlobCutShortIsRepaired() {
        String text = "Thought: search\n```json\n{\"action\": \"search\", \"action_input\": \"weather in SF";
        assertThat(jsonParser.parse(text)).isEqualTo(AgentAction.text("search", "weather in SF", text));
    }
}
