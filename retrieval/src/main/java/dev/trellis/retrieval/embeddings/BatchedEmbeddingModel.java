package dev.trellis.retrieval.embeddings;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * all-MiniLM-L6-v2 in process, in padded batches: the same ONNX graph, tokenizer, mean pooling and L2
 * normalisation as langchain4j's {@code AllMiniLmL6V2EmbeddingModel} (vectors agree to cosine &gt; 0.9999),
 * but texts are sorted by token length and run {@link Builder#batchSize batchSize} at a time, padded only to
 * the longest text of their batch, with a fixed number of ONNX Runtime threads instead of one task per text.
 *
 * <p>The model reads at most 128 tokens. A longer text is cut there (as langchain4j does) but never silently:
 * each cut is logged with what was lost, or, with {@link Builder#failOnTruncation(boolean)}, refused. Split
 * documents with {@link EmbeddingSegmenter} first so that nothing is cut.
 *
 * <p>Thread-safe; close it to free the native session.
 */
public final class BatchedEmbeddingModel implements EmbeddingModel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchedEmbeddingModel.class);

    private final MiniLmModel model;
    private final int batchSize;
    private final int threads;
    private final boolean failOnTruncation;
    private final MiniLmTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean wantsTokenTypeIds;

    private BatchedEmbeddingModel(Builder b) {
        if (b.batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + b.batchSize);
        }
        if (b.threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + b.threads);
        }
        this.model = b.model;
        this.batchSize = b.batchSize;
        this.threads = b.threads;
        this.failOnTruncation = b.failOnTruncation;
        this.tokenizer = new MiniLmTokenizer(model);
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            this.session = environment.createSession(model.onnxBytes(), options);
            Set<String> inputs = session.getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw new IllegalStateException(model.modelName() + " has inputs " + inputs
                        + "; expected input_ids and attention_mask");
            }
            this.wantsTokenTypeIds = inputs.contains("token_type_ids");
        } catch (OrtException e) {
            tokenizer.close();
            throw new IllegalStateException("cannot load " + model.modelName() + " into ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** The fp32 model with default options. */
    public static BatchedEmbeddingModel create() {
        return builder().build();
    }

    /** The int8-quantized model with default options: faster, slightly different vectors. */
    public static BatchedEmbeddingModel quantized() {
        return builder().model(MiniLmModel.ALL_MINILM_L6_V2_Q).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<String> texts = new ArrayList<>(segments.size());
        for (TextSegment segment : segments) {
            texts.add(segment.text());
        }
        Batch result = run(texts);
        List<Embedding> embeddings = new ArrayList<>(result.vectors().length);
        for (float[] vector : result.vectors()) {
            embeddings.add(Embedding.from(vector));
        }
        return Response.from(embeddings, new TokenUsage(result.tokens()));
    }

    /** Embeds raw texts; vectors come back in input order, L2-normalised. */
    public float[][] embedTexts(List<String> texts) {
        return run(texts).vectors();
    }

    private record Batch(float[][] vectors, int tokens) {
    }

    private Batch run(List<String> texts) {
        int n = texts.size();
        Encoding[] encodings = new Encoding[n];
        int tokens = 0;
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            encodings[i] = tokenizer.encodeForModel(text);
            if (encodings[i].exceedMaxLength()) {
                reportTruncation(i, text);
            }
            tokens += encodings[i].getIds().length;
        }
        // Sorting by length keeps padding (wasted work) small inside each batch.
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            int[] batch = new int[end - start];
            for (int j = start; j < end; j++) {
                batch[j - start] = order[j];
            }
            runBatch(encodings, batch, out);
        }
        return new Batch(out, tokens);
    }

    private void runBatch(Encoding[] encodings, int[] batch, float[][] out) {
        int rows = batch.length;
        int length = 0;
        for (int index : batch) {
            length = Math.max(length, encodings[index].getIds().length);
        }
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        long[] types = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            Encoding e = encodings[batch[r]];
            long[] rowIds = e.getIds();
            System.arraycopy(rowIds, 0, ids, r * length, rowIds.length);
            System.arraycopy(e.getAttentionMask(), 0, mask, r * length, rowIds.length);
            System.arraycopy(e.getTypeIds(), 0, types, r * length, rowIds.length);
            // padding stays 0: [PAD] id 0, mask 0, type 0, as in the tokenizer's padding config
        }
        long[] shape = {rows, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape)) {
            inputs.put("input_ids", idsTensor);
            inputs.put("attention_mask", maskTensor);
            if (wantsTokenTypeIds) {
                inputs.put("token_type_ids", typesTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                long[] hiddenShape = hidden.getInfo().getShape();
                int dim = (int) hiddenShape[2];
                FloatBuffer values = hidden.getFloatBuffer();
                for (int r = 0; r < rows; r++) {
                    out[batch[r]] = meanPoolAndNormalize(values, r, length, dim, encodings[batch[r]].getIds().length);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows + " texts of up to " + length
                    + " tokens: " + e.getMessage(), e);
        }
    }

    /** Mean over the real (unpadded) tokens, then L2 norm: the same float arithmetic as langchain4j's. */
    private static float[] meanPoolAndNormalize(FloatBuffer values, int row, int length, int dim, int realTokens) {
        float[] mean = new float[dim];
        int base = row * length * dim;
        for (int t = 0; t < realTokens; t++) {
            int offset = base + t * dim;
            for (int j = 0; j < dim; j++) {
                mean[j] += values.get(offset + j);
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] /= realTokens;
        }
        float sumSquare = 0;
        for (float v : mean) {
            sumSquare += v * v;
        }
        float norm = (float) Math.sqrt(sumSquare);
        for (int j = 0; j < dim; j++) {
            mean[j] /= norm;
        }
        return mean;
    }

    private void reportTruncation(int index, String text) {
        Encoding full = tokenizer.encodeFull(text);
        int total = full.getIds().length;
        // the model keeps [CLS] + the first 126 tokens + [SEP]; find where token 127 starts in the text
        CharSpan[] spans = full.getCharTokenSpans();
        int cutAt = text.length();
        int firstDropped = MiniLmModel.MAX_TOKENS - 1;
        for (int t = firstDropped; t < spans.length; t++) {
            if (spans[t] != null && spans[t].getStart() >= 0) {
                cutAt = spans[t].getStart();
                break;
            }
        }
        String lost = text.substring(Math.min(cutAt, text.length()));
        String message = "text #" + index + " has " + total + " tokens but " + model.modelName() + " reads "
                + MiniLmModel.MAX_TOKENS + "; " + (total - MiniLmModel.MAX_TOKENS) + " tokens (" + lost.length()
                + " characters) would not reach its vector: \"" + abbreviate(lost) + "\". Split documents with "
                + "EmbeddingSegmenter first";
        if (failOnTruncation) {
            throw new TextTooLongException(index, total, message);
        }
        log.warn("{}", message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public int dimension() {
        return MiniLmModel.DIMENSION;
    }

    @Override
    public String modelName() {
        return model.modelName();
    }

    /** Texts per ONNX run. */
    public int batchSize() {
        return batchSize;
    }

    /** ONNX Runtime intra-op threads: the whole CPU budget of this model. */
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX session of " + model.modelName(), e);
        } finally {
            tokenizer.close();
        }
    }

    @Override
    public String toString() {
        return "BatchedEmbeddingModel[" + model.modelName() + ", batchSize=" + batchSize + ", threads=" + threads + "]";
    }

    /** Options for {@link BatchedEmbeddingModel}. */
    public static final class Builder {
        private MiniLmModel model = MiniLmModel.ALL_MINILM_L6_V2;
        private int batchSize = 16;
        private int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private boolean failOnTruncation;

        /** Which weights: fp32 (default) or int8-quantized. */
        public Builder model(MiniLmModel model) {
            this.model = java.util.Objects.requireNonNull(model, "model");
            return this;
        }

        /** Texts per ONNX run (default 16, measured best on 2 cores). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** ONNX Runtime intra-op threads (default: the cores, at most 4). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Throw {@link TextTooLongException} instead of logging when a text exceeds 128 tokens. */
        public Builder failOnTruncation(boolean failOnTruncation) {
            this.failOnTruncation = failOnTruncation;
            return this;
        }

        public BatchedEmbeddingModel build() {
            return new BatchedEmbeddingModel(this);
        }
    }
}
