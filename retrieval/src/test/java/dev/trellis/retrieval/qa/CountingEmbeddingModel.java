package dev.trellis.retrieval.qa;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a real model and counts what it was asked to embed. */
final class CountingEmbeddingModel implements EmbeddingModel {

    private final EmbeddingModel delegate;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger segments = new AtomicInteger();

    CountingEmbeddingModel(EmbeddingModel delegate) {
        this.delegate = delegate;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> textSegments) {
        calls.incrementAndGet();
        segments.addAndGet(textSegments.size());
        return delegate.embedAll(textSegments);
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String modelName() {
        return delegate.modelName();
    }
}
