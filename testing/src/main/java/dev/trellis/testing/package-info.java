/**
 * Test doubles for code built on langchain4j's model interfaces, in the {@code trellis-testing}
 * artifact (depend on it with {@code <scope>test</scope>}; no Trellis main code uses it):
 * <ul>
 *   <li>{@link dev.trellis.testing.ScriptedChatModel} and
 *       {@link dev.trellis.testing.ScriptedStreamingChatModel}, chat models that answer from a
 *       script and record every request (LangChain's {@code FakeListLLM});</li>
 *   <li>{@link dev.trellis.testing.OpenAiCompatibleTestServer}, an in-process OpenAI-compatible
 *       HTTP server on a loopback port that answers from a script of
 *       {@link dev.trellis.testing.ScriptedReply replies} (text, tool calls, streaming, and
 *       injected faults) and records every {@link dev.trellis.testing.RecordedRequest request}.
 *       Uses only the JDK's {@code com.sun.net.httpserver}.</li>
 * </ul>
 */
package dev.trellis.testing;
