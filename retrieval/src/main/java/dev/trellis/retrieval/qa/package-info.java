/**
 * Question answering over documents: {@link dev.trellis.retrieval.qa.RetrievalQA} (a framework chain over any
 * retriever and chat model, with the stuff, map-reduce, refine and map-rerank chain types) and
 * {@link dev.trellis.retrieval.qa.VectorstoreIndex}, the load-embed-store-ask one-liner with a persistent cache.
 */
package dev.trellis.retrieval.qa;
