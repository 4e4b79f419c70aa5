/**
 * Tools for agents: the {@link dev.trellis.agents.tools.AgentTool} contract, langchain4j
 * {@code @Tool} methods as tools ({@link dev.trellis.agents.tools.Tools#fromObject}), and the
 * built-ins {@code llm-math}, {@code wikipedia}, {@code search-documents} and {@code date}
 * ({@link dev.trellis.agents.tools.Tools#load}).
 */
package dev.trellis.agents.tools;
