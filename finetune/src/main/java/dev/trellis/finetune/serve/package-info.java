/**
 * Serving a local model to any OpenAI client: {@link dev.trellis.finetune.serve.ModelServer}, an
 * OpenAI-compatible HTTP server (chat and text completions with streaming, tools and structured
 * output, embeddings, models, health) over langchain4j's {@code ChatModel}, with a bounded worker
 * queue, OpenAI-shaped errors, an optional API key, graceful shutdown, and two pages served from
 * the jar: a chat playground and a dashboard of the checkpoint's training and evaluation.
 *
 * <p>Requests are translated into langchain4j {@code ChatRequest}s ({@link
 * dev.trellis.finetune.serve.ChatCompletionRequest}); the model does what they ask (constrained
 * decoding of JSON and tool calls included), so any {@code ChatModel} can be served.
 */
package dev.trellis.finetune.serve;
