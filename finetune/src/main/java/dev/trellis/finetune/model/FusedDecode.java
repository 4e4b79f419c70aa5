package dev.trellis.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.trellis.finetune.model.decode.DecodeStep;
import dev.trellis.finetune.model.decode.DecodeWeights;
import dev.trellis.finetune.model.decode.KvBuffers;
import dev.trellis.finetune.model.decode.LlamaDecodeStep;
import dev.trellis.finetune.model.decode.NeoXDecodeStep;
import dev.trellis.finetune.model.quant.Q8Matrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where an int8 model's decoding steps leave DJL: a call with one new token per row, at most
 * {@link Int8Linears#MAX_ROWS} rows and a cache runs the architecture's plain-Java step
 * ({@link NeoXDecodeStep}, {@link LlamaDecodeStep}) on the cache's Java-side keys and values, with the
 * positions and mask {@link AbstractCausalLM#positionsAndMask} computes for the DJL path. Everything
 * else (prefill, larger batches, no cache) stays on DJL. The step is a few dozen small operations per
 * layer besides the int8 products; as DJL calls they cost pythia-160m a third of its decoding time.
 */
final class FusedDecode {

    private final DecodeStep step;
    private final Integer slidingWindow;
    private final int vocab;
    private final AbstractCausalLM model;

    private FusedDecode(AbstractCausalLM model, DecodeStep step, Integer slidingWindow) {
        this.model = model;
        this.step = step;
        this.slidingWindow = slidingWindow;
        this.vocab = model.config().vocabSize();
    }

    /** The fused step of a quantized model, or null where it has none (GPT-2, whose Conv1D blocks stay float, keeps DJL). */
    static FusedDecode of(AbstractCausalLM model, Int8Linears int8) {
        if (model.dataType() != DataType.FLOAT32) {
            return null;
        }
        DecodeWeights weights = weights(model, int8);
        if (model.config() instanceof GptNeoX.Config c) {
            return new FusedDecode(model, new NeoXDecodeStep(new NeoXDecodeStep.Config(c.vocabSize(), c.hiddenSize(),
                    c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(), c.hiddenAct(), c.rotaryDims(),
                    c.rotaryEmbBase(), scaling(c.ropeScaling()), c.layerNormEps(), c.useParallelResidual(),
                    c.tieWordEmbeddings()), weights), null);
        }
        if (model.config() instanceof Llama.Config c) {
            return new FusedDecode(model, new LlamaDecodeStep(new LlamaDecodeStep.Config(c.vocabSize(), c.hiddenSize(),
                    c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize(),
                    c.hiddenAct(), c.ropeTheta(), scaling(c.ropeScaling()), c.rmsNormEps(), c.tieWordEmbeddings()),
                    weights), c.slidingWindow());
        }
        return null;
    }

    /** Linear position interpolation's factor (the one scaling {@link RopeScaling} knows), 1 for none. */
    private static double scaling(RopeScaling scaling) {
        return scaling == null ? 1.0 : scaling.factor();
    }

    /** Whether this call is a decoding step the fused path runs. */
    boolean accepts(NDArray ids, KvCache cache) {
        Shape shape = ids.getShape();
        return cache != null && shape.dimension() == 2 && shape.get(1) == 1 && shape.get(0) >= 1
                && shape.get(0) <= Int8Linears.MAX_ROWS && ids.getDataType() == DataType.INT64;
    }

    /** Logits [batch, 1, vocab] of the new tokens, appended to {@code cache}; the same checks as the DJL path. */
    NDArray forward(NDArray ids, NDArray attentionMask, KvCache cache) {
        long[] idv = model.checkIds(ids);
        int batch = idv.length;
        int past = cache.length();
        long[] mask = AbstractCausalLM.maskValues(attentionMask, batch, past + 1);
        int rows = mask == null ? 1 : batch;
        long[] positions = new long[rows];
        float[] bias = new float[rows * (past + 1)];
        boolean masked = AbstractCausalLM.positionsAndMask(mask, rows, 1, past, slidingWindow, AbstractCausalLM.MASKED,
                positions, bias);
        KvBuffers kv = cache.buffers(batch, step.kvHeads(), step.headDim());
        NDManager manager = ids.getManager();
        NDArray logits = step.run(new DecodeStep.Tokens(batch, idv, positions, rows, masked ? bias : null, rows), kv,
                values -> logits(manager, values, batch));
        cache.fusedStepDone();
        return logits;
    }

    /**
     * The logits as a new NDArray [batch, 1, vocab]. On the CPU the values are written straight into the new
     * tensor's memory (a direct view of it): creating it from a float[] allocates, zeroes and fills a direct
     * buffer first, which measured 60-180 us for pythia's 50k logits against 10-40.
     */
    private NDArray logits(NDManager manager, float[] values, int batch) {
        Shape shape = new Shape(batch, 1, vocab);
        if (!manager.getDevice().isGpu()) {
            NDArray out = manager.create(shape, DataType.FLOAT32);
            ByteBuffer view = out.toByteBuffer(true);
            if (view.isDirect()) {
                view.order(ByteOrder.nativeOrder()).asFloatBuffer().put(values, 0, batch * vocab);
                return out;
            }
            out.close();
        }
        return manager.create(values, shape);
    }

    /** The model's weights by name: float parameters, the int8 matrices, embedding rows as DJL looks them up. */
    private static DecodeWeights weights(AbstractCausalLM model, Int8Linears int8) {
        return new DecodeWeights() {
            @Override
            public float[] vector(String name) {
                return AbstractCausalLM.floats(model.parameter(name).array());
            }

            @Override
            public boolean has(String name) {
                return model.hasParameter(name);
            }

            @Override
            public Q8Matrix matrix(String name) {
                return int8.matrix(model.parameter(name).array());
            }

            @Override
            public void embedding(String name, long id, float[] out, int offset) {
                NDArray table = model.parameter(name).array();
                if (int8.quantized(table)) { // tied to the head: the table holds the int8 matrix's values
                    int8.matrix(table).dequantizeRow((int) id, out, offset);
                    return;
                }
                int width = (int) table.getShape().get(1);
                if (!table.getDevice().isGpu() && table.getDataType() == DataType.FLOAT32) {
                    // a direct view of the table's memory, taken each time so it follows the parameter wherever it is
                    ByteBuffer view = table.toByteBuffer(true);
                    if (view.isDirect()) {
                        view.order(ByteOrder.nativeOrder()).asFloatBuffer().get((int) id * width, out, offset, width);
                        return;
                    }
                }
                try (NDArray row = table.get(id)) {
                    System.arraycopy(row.toFloatArray(), 0, out, offset, width);
                }
            }
        };
    }
}
