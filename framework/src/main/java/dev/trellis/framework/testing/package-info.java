/**
 * Test support shipped in main so every module's tests can use it:
 * {@link dev.trellis.framework.testing.OpenAiCompatibleTestServer}, an in-process
 * OpenAI-compatible HTTP server on a loopback port that answers from a script of
 * {@link dev.trellis.framework.testing.ScriptedReply replies} (text, tool calls, streaming,
 * and injected faults) and records every {@link dev.trellis.framework.testing.RecordedRequest request}.
 * Uses only the JDK's {@code com.sun.net.httpserver}.
 */
package dev.trellis.framework.testing;
