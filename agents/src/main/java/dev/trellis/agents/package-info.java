/**
 * Agents: a model that decides which tools to call, sees what they answer, and repeats until it can
 * answer (LangChain's agents).
 *
 * <p>{@link dev.trellis.agents.AgentExecutor} runs the loop as a framework {@code Chain} with three
 * protocols ({@link dev.trellis.agents.AgentType}): text ReAct, chat ReAct with JSON actions, and
 * native tool calling. {@link dev.trellis.agents.Agents#initializeAgent} is the one-liner; tools come
 * from {@link dev.trellis.agents.tools.Tools}.
 */
package dev.trellis.agents;
