package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.ndarray.types.SparseFormat;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every architecture shares: owning the parameters under their Hugging Face names, the
 * causal/padding mask and positions of a forward call, composed attention, counting, saving.
 * The architectures themselves ({@link GptNeoX}, {@link Gpt2}, {@link Llama}) hold only their
 * blocks and forward pass.
 */
abstract class AbstractCausalLM implements CausalLM {

    /** Added to the score of a key a query may not see; finite so a fully padded row stays NaN-free. */
    static final float MASKED = -1e9f;
    /** The same in float16, whose largest value is 65504; exp(-1e4) is still exactly 0. */
    static final float MASKED_HALF = -1e4f;

    /** Where parameter values come from while the model is being built. */
    interface WeightSource {
        float[] values(String name, Parameter.Kind kind, long[] shape, double std);

        /** The parameter as a float32 array of {@code m}; a checkpoint overrides it to skip the Java float copy. */
        default NDArray array(NDManager m, String name, Parameter.Kind kind, long[] shape, double std) {
            return m.create(values(name, kind, shape, std), new Shape(shape));
        }
    }

    /** The per-call facts every layer needs. */
    /** One forward call's shapes and constants; {@code maskBias} is null when every position sees every key. */
    record Step(NDManager manager, int batch, int steps, int past, NDArray maskBias, long[] positions, int positionRows) {
    }

    protected final NDManager manager;
    private final ModelConfig config;
    private final DataType dataType;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private WeightSource source;
    /** Set by {@link #quantize}: where {@link #linear} sends weights once they are int8. */
    private volatile Int8Linears int8;
    /** Set by {@link #quantize} where the architecture has one: decoding steps in plain Java (see {@link FusedDecode}). */
    private volatile FusedDecode fused;
    /** Off only in tests that compare the fused step with the DJL path on the same model. */
    private volatile boolean fusedEnabled = true;
    private ObjectNode sourceConfigJson;
    private ObjectNode generationConfigJson;

    protected AbstractCausalLM(ModelConfig config, Device device, WeightSource source, DataType dataType) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("a model computes in FLOAT32 or FLOAT16; got " + dataType
                    + " (DJL 0.36 has no bfloat16 arithmetic)");
        }
        this.config = config;
        this.dataType = dataType;
        this.manager = NDManager.newBaseManager(device);
        this.source = source;
    }

    /** Declares a parameter and fills it from the weight source (random init or checkpoint). */
    protected final NDArray parameter(String name, Parameter.Kind kind, double initStd, long... shape) {
        NDArray array = source.array(manager, name, kind, shape, initStd);
        if (dataType != DataType.FLOAT32) {
            NDArray cast = array.toType(dataType, false);
            array.close();
            array = cast;
        }
        array.setRequiresGradient(true);
        parameters.put(name, new Parameter(name, array, kind));
        return array;
    }

    protected final NDArray parameter(String name, Parameter.Kind kind, long... shape) {
        return parameter(name, kind, 0.02, shape);
    }

    /** Ends construction: the weight source is not needed any more. */
    protected final void built() {
        source = null;
    }

    void provenance(ObjectNode configJson, ObjectNode generationConfig) {
        this.sourceConfigJson = configJson;
        this.generationConfigJson = generationConfig;
    }

    ObjectNode sourceConfigJson() {
        return sourceConfigJson;
    }

    ObjectNode generationConfigJson() {
        return generationConfigJson;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public DataType dataType() {
        return dataType;
    }

    @Override
    public synchronized void quantize(Quantization quantization) {
        if (quantization == Quantization.NONE || int8 != null) {
            if (quantization == Quantization.NONE && int8 != null) {
                throw new IllegalStateException("this model is already int8; load it again for float32 weights");
            }
            return;
        }
        if (dataType != DataType.FLOAT32) {
            throw new IllegalStateException("int8 quantization starts from float32 weights; this model is " + dataType);
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("int8 decoding runs on the Vector API; start java with "
                    + "--add-modules jdk.incubator.vector (the trellis launcher does)");
        }
        int8 = new Int8Linears(manager);
        // One token through the model quantizes every weight that goes through linear (a tied head included).
        try (NDManager m = manager.newSubManager()) {
            forward(m.create(new long[][] {{0}}));
        }
        fused = FusedDecode.of(this, int8);
    }

    /** Turns the fused decoding step off or on again (tests compare it with the DJL path on one model). */
    void fusedDecoding(boolean enabled) {
        fusedEnabled = enabled;
    }

    boolean fusedEnabled() {
        return fusedEnabled;
    }

    /** Whether decoding steps of this model may run fused (an int8 model of a supported architecture). */
    boolean hasFusedDecoding() {
        return fused != null;
    }

    @Override
    public Quantization quantization() {
        return int8 == null ? Quantization.NONE : Quantization.INT8;
    }

    @Override
    public long quantizedBytes() {
        Int8Linears q = int8;
        return q == null ? 0 : q.bytes();
    }

    @Override
    public CausalLM toDataType(DataType target) {
        AbstractCausalLM copy = Checkpoints.build(config, device(), (name, kind, shape, std) -> floats(parameter(name).array()),
                target);
        copy.provenance(sourceConfigJson, generationConfigJson);
        return copy;
    }

    @Override
    public void copyParametersFrom(CausalLM source) {
        if (!source.config().equals(config)) {
            throw new IllegalArgumentException("cannot copy parameters from a different model: " + source.config().modelType()
                    + " with another config than this " + config.modelType());
        }
        for (Parameter p : parameters.values()) {
            // an indexed assignment is torch's copy_: it casts, and overwrites even inf/NaN in place
            p.array().set(new NDIndex("..."), source.parameter(p.name()).array());
        }
    }

    /** A parameter's values as float32 (widened when the model computes in float16). */
    static float[] floats(NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        try (NDArray wide = array.toType(DataType.FLOAT32, false)) {
            return wide.toFloatArray();
        }
    }

    @Override
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(new ArrayList<>(parameters.values()));
    }

    @Override
    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("model has no parameter '" + name + "'; it has " + parameters.size()
                    + " parameters, e.g. " + parameters.keySet().stream().limit(5).toList());
        }
        return p;
    }

    boolean hasParameter(String name) {
        return parameters.containsKey(name);
    }

    @Override
    public KvCache newKvCache() {
        return new KvCache(manager, config.numHiddenLayers());
    }

    @Override
    public final NDArray forward(NDArray inputIds) {
        return forward(inputIds, null, null);
    }

    @Override
    public final NDArray forward(NDArray inputIds, KvCache cache) {
        return forward(inputIds, null, cache);
    }

    @Override
    public final NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        Int8Linears q = int8;
        if (q == null) {
            return computeLogits(inputIds, attentionMask, cache);
        }
        FusedDecode f = fused;
        if (f != null && fusedEnabled && f.accepts(inputIds, cache)) {
            return f.forward(inputIds, attentionMask, cache);
        }
        return q.forward(inputIds.getShape().size(), () -> computeLogits(inputIds, attentionMask, cache));
    }

    @Override
    public final NDArray hiddenStates(NDArray inputIds) {
        Int8Linears q = int8;
        return q == null ? computeHidden(inputIds, null, null)
                : q.forward(inputIds.getShape().size(), () -> computeHidden(inputIds, null, null));
    }

    @Override
    public final NDArray logits(NDArray hidden) {
        return linear(hidden, outputWeight(), null);
    }

    private NDArray computeLogits(NDArray inputIds, NDArray attentionMask, KvCache cache) {
        return logits(computeHidden(inputIds, attentionMask, cache));
    }

    /**
     * The architecture's forward pass up to the output layer (see {@link CausalLM#forward(NDArray, NDArray, KvCache)}):
     * the final norm's output [batch, seq, hidden].
     */
    protected abstract NDArray computeHidden(NDArray inputIds, NDArray attentionMask, KvCache cache);

    /** The output layer's weight [vocab, hidden] (the embedding table when tied). */
    protected abstract NDArray outputWeight();

    @Override
    public long numParameters() {
        return parameters.values().stream().mapToLong(Parameter::size).sum();
    }

    @Override
    public long numNonEmbeddingParameters() {
        return parameters.values().stream().filter(p -> p.kind() != Parameter.Kind.EMBEDDING)
                .mapToLong(Parameter::size).sum();
    }

    @Override
    public long floatingPointOps(int seqLen) {
        return 6L * seqLen * numNonEmbeddingParameters();
    }

    @Override
    public double trainingFlopsPerToken(int seqLen) {
        long matmulParams = numNonEmbeddingParameters()
                + (config.tieWordEmbeddings() ? (long) config.vocabSize() * config.hiddenSize() : 0);
        double attention = 12.0 * config.numHiddenLayers() * seqLen * attentionWidth();
        return 6.0 * matmulParams + attention;
    }

    /** Number of heads times head size (the width of the attention scores' matmuls). */
    protected abstract int attentionWidth();

    @Override
    public long memoryFootprint() {
        return parameters.values().stream().mapToLong(p -> p.size() * p.array().getDataType().getNumOfBytes()).sum();
    }

    @Override
    public void save(Path dir) {
        save(dir, Checkpoints.DEFAULT_MAX_SHARD_BYTES);
    }

    @Override
    public void save(Path dir, long maxShardBytes) {
        Checkpoints.save(this, dir, maxShardBytes, false);
    }

    @Override
    public void saveFloat16(Path dir) {
        Checkpoints.save(this, dir, Checkpoints.DEFAULT_MAX_SHARD_BYTES, true);
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---- the forward pass pieces every architecture shares ----

    /** Validates the inputs and builds the positions and the additive causal/padding mask. */
    protected final Step prepare(NDArray ids, NDArray attentionMask, KvCache cache, int maxPositions, Integer slidingWindow) {
        checkIds(ids);
        int batch = (int) ids.getShape().get(0);
        int steps = (int) ids.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        int total = past + steps;
        if (maxPositions > 0 && total > maxPositions) {
            throw new IllegalArgumentException("sequence of " + total + " positions exceeds the model's " + maxPositions
                    + " learned positions; truncate the input");
        }
        NDManager m = ids.getManager();
        long[] mask = maskValues(attentionMask, batch, total);
        int rows = mask == null ? 1 : batch;
        long[] positions = new long[rows * steps];
        float[] bias = new float[rows * steps * total];
        boolean anyMasked = positionsAndMask(mask, rows, steps, past, slidingWindow,
                dataType == DataType.FLOAT16 ? MASKED_HALF : MASKED, positions, bias);
        if (!anyMasked) { // a decoding step without padding: adding zeros would be one more op per layer
            return new Step(m, batch, steps, past, null, positions, rows);
        }
        NDArray maskBias = m.create(bias, new Shape(rows, 1, steps, total));
        if (dataType != DataType.FLOAT32) {
            maskBias = maskBias.toType(dataType, false); // constants need no gradient, so the cast may cut the graph
        }
        return new Step(m, batch, steps, past, maskBias, positions, rows);
    }

    /** Checks that ids are int64 [batch, steps] within the vocabulary; returns them. */
    final long[] checkIds(NDArray ids) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, steps]; got shape " + shape);
        }
        if (ids.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("input ids must be int64 token ids; got " + ids.getDataType());
        }
        if (shape.get(1) == 0) {
            throw new IllegalArgumentException("input ids are empty: shape " + shape);
        }
        long[] idv = ids.toLongArray();
        for (long id : idv) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize()
                        + "); the tokenizer does not match this model");
            }
        }
        return idv;
    }

    /** The attention mask's values, row-major [batch, total], after checking its shape; null for no mask. */
    static long[] maskValues(NDArray attentionMask, int batch, int total) {
        if (attentionMask == null) {
            return null;
        }
        if (!attentionMask.getShape().equals(new Shape(batch, total))) {
            throw new IllegalArgumentException("attention mask must be [batch, past + steps] = [" + batch + ", " + total
                    + "] (1 for tokens, 0 for padding); got " + attentionMask.getShape());
        }
        if (attentionMask.getDataType() == DataType.INT64) {
            return attentionMask.toLongArray();
        }
        try (NDArray wide = attentionMask.toType(DataType.INT64, false)) {
            return wide.toLongArray();
        }
    }

    /**
     * The positions ([rows, steps]) and additive mask ([rows, steps, past + steps]: 0 where a query sees a
     * key, {@code masked} where not) of a call, from the attention mask (null: every column is a token, and
     * one row stands for all); returns whether any key is hidden. Positions count real tokens only, so a
     * left-padded prompt starts at position 0.
     */
    static boolean positionsAndMask(long[] mask, int rows, int steps, int past, Integer slidingWindow, float masked,
                                    long[] positions, float[] bias) {
        int total = past + steps;
        boolean anyMasked = false;
        for (int b = 0; b < rows; b++) {
            long running = -1;
            for (int j = 0; j < total; j++) {
                running += mask == null ? 1 : mask[b * total + j];
                if (j >= past) {
                    positions[b * steps + (j - past)] = Math.max(running, 0);
                }
            }
            for (int i = 0; i < steps; i++) {
                int q = past + i;
                for (int j = 0; j < total; j++) {
                    boolean visible = j <= q && (slidingWindow == null || q - j < slidingWindow)
                            && (mask == null || mask[b * total + j] != 0);
                    bias[(b * steps + i) * total + j] = visible ? 0f : masked;
                    anyMasked |= !visible;
                }
            }
        }
        return anyMasked;
    }

    /**
     * Causal self-attention over already projected heads: q [B, heads, T, d], k and v
     * [B, kvHeads, T, d]. Appends k and v to the cache, repeats them for grouped-query attention,
     * and returns the merged heads [B, T, heads * d].
     */
    protected final NDArray attend(NDArray q, NDArray k, NDArray v, int layer, Step step, KvCache cache, double scale) {
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long heads = q.getShape().get(1);
        long kvHeads = k.getShape().get(1);
        long d = q.getShape().get(3);
        long total = k.getShape().get(2);
        // Ops whose receiver is a cached array land in the cache's manager; move them to this call's.
        NDArray kt = k.transpose(0, 1, 3, 2);
        kt.attach(step.manager());
        if (heads != kvHeads) {
            long rep = heads / kvHeads;
            kt = kt.expandDims(2).broadcast(step.batch(), kvHeads, rep, d, total).reshape(step.batch(), heads, d, total);
            NDArray ve = v.expandDims(2);
            ve.attach(step.manager());
            v = ve.broadcast(step.batch(), kvHeads, rep, total, d).reshape(step.batch(), heads, total, d);
        }
        // In float16, scaling the queries first keeps the dot products sqrt(d) times further from overflow.
        NDArray scores = q.getDataType() == DataType.FLOAT16 ? q.mul(scale).matMul(kt) : q.matMul(kt).mul(scale);
        NDArray probs = (step.maskBias() == null ? scores : scores.add(step.maskBias())).softmax(-1);
        return probs.matMul(v).transpose(0, 2, 1, 3).reshape(step.batch(), step.steps(), heads * d);
    }

    protected static NDArray embedding(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * x W^T + b: the one seam where a quantized kernel may take over (see {@link #quantize}); the
     * architectures call it for every projection and never know which path ran.
     */
    protected final NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        Int8Linears q = int8;
        return q == null ? djlLinear(x, weight, bias) : q.linear(x, weight, bias);
    }

    static NDArray djlLinear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    protected static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        return LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, (float) eps).singletonOrThrow();
    }

    /** RMSNorm as Llama defines it: x / sqrt(mean(x^2) + eps) * weight. */
    protected static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        if (x.getDataType() == DataType.FLOAT16) {
            return rmsNormHalf(x, weight, eps);
        }
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    /**
     * RMSNorm in float16, where x^2 overflows once |x| > 256 (transformers upcasts to float32, which
     * DJL cannot do differentiably). The norm is scale-invariant, so with s = max|x| per row, a
     * constant: x / sqrt(mean(x^2) + eps) == (x/s) / sqrt(mean((x/s)^2) + eps/s^2), all terms <= 1.
     */
    private static NDArray rmsNormHalf(NDArray x, NDArray weight, double eps) {
        NDArray s = x.abs().max(new int[] {-1}, true).stopGradient().maximum(1e-4f);
        NDArray xs = x.div(s);
        NDArray epsTerm = s.pow(-1).mul(Math.sqrt(eps)).square();
        NDArray rms = xs.square().mean(new int[] {-1}, true).add(epsTerm).sqrt();
        return xs.div(rms).mul(weight);
    }

    /** The activations config.json names in {@code hidden_act} / {@code activation_function}. */
    protected static NDArray activation(String name, NDArray x) {
        return switch (name) {
            case "gelu" -> Activation.gelu(x); // exact (erf) GELU, torch's default
            // tanh approximation; the cube's input is clipped to [-10, 10] because x^3 overflows float16 near
            // |x| = 40 (and its gradient at 256); beyond |x| = 10 tanh is exactly +-1 in float32 too, so no value changes
            case "gelu_new", "gelu_pytorch_tanh" -> x.mul(0.5)
                    .mul(x.clip(-10, 10).pow(3).mul(0.044715).add(x).mul(Math.sqrt(2.0 / Math.PI)).tanh().add(1.0));
            case "silu", "swish" -> x.mul(Activation.sigmoid(x));
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalStateException("unchecked activation " + name);
        };
    }

    static String checkActivation(String name) {
        if (!Arrays.asList("gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish", "relu").contains(name)) {
            throw new CheckpointException("activation '" + name + "' is not supported; use gelu, gelu_new, "
                    + "gelu_pytorch_tanh, silu or relu");
        }
        return name;
    }
}
