package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A decoder-only language model on DJL's PyTorch engine, with Hugging Face checkpoint layout and
 * parameter names.
 *
 * <pre>{@code
 * try (CausalLM model = CausalLM.load(Path.of("pythia-70m"));
 *      NDManager m = NDManager.newBaseManager(model.device())) {
 *     NDArray logits = model.forward(m.create(new long[][] {{12, 345, 6789}})); // [1, 3, vocab]
 * }
 * }</pre>
 *
 * <p>Training: every parameter requires a gradient; inside a DJL {@code GradientCollector} the
 * forward pass is recorded, so {@code collector.backward(loss)} fills {@link Parameter#array()}'s
 * gradient. Outside a collector nothing is recorded. Intermediate arrays are created in the input
 * ids' NDManager; wrap each step in an {@code NDScope} (or a sub-manager) so they are freed.
 *
 * <p>Precision: {@link #load} and {@link #create} give float32 models. {@link #toDataType} makes a
 * float16 working copy for mixed-precision training (the trainer's {@code fp16}): its parameters are
 * leaves with their own gradients, because DJL's {@code toType} is not differentiable and so cannot
 * cast float32 masters inside the recorded graph. A float16 model computes every layer in float16,
 * with float16-safe forms of the few steps that would overflow (see {@code rmsNorm} and the
 * {@code gelu_new} activation); its logits are float16, so take the log-softmax in float32
 * ({@link LanguageModelingLoss#logSoftmax}).
 */
public interface CausalLM extends AutoCloseable {

    /** Loads a Hugging Face checkpoint directory onto DJL's default device (a GPU when one is visible). */
    static CausalLM load(Path dir) {
        return load(dir, Engine.getInstance().defaultDevice());
    }

    /**
     * Loads a Hugging Face checkpoint directory: {@code config.json} (its {@code model_type} picks the
     * architecture) and {@code model.safetensors} or a sharded {@code model.safetensors.index.json}.
     * F16 and BF16 weights are widened to float32.
     */
    static CausalLM load(Path dir, Device device) {
        return Checkpoints.load(dir, device);
    }

    /** A randomly initialised model (normal, std 0.02, as transformers initialises) on the default device. */
    static CausalLM create(ModelConfig config, long seed) {
        return create(config, seed, Engine.getInstance().defaultDevice());
    }

    /**
     * A randomly initialised model: weights and embeddings normal with std 0.02 (GPT-2's residual
     * projections scaled down by sqrt(2 * layers)), biases zero, norms one. The same seed and config
     * give the same weights, each parameter drawn from its own stream seeded by seed and name.
     */
    static CausalLM create(ModelConfig config, long seed, Device device) {
        AbstractCausalLM.WeightSource random = (name, kind, shape, std) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] v = new float[Math.toIntExact(n)];
            switch (kind) {
                case EMBEDDING, WEIGHT -> {
                    Random r = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (r.nextGaussian() * std);
                    }
                }
                case NORM -> {
                    if (!name.endsWith("bias")) {
                        java.util.Arrays.fill(v, 1f);
                    }
                }
                case BIAS -> {
                    // zeros
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            return v;
        };
        return Checkpoints.build(config, device, random);
    }

    /** The architecture's configuration. */
    ModelConfig config();

    /** The device the parameters live on. */
    Device device();

    /** The parameters' data type, which is also the forward pass's: FLOAT32, or FLOAT16 for a working copy. */
    DataType dataType();

    /**
     * Loads a checkpoint and quantizes it ({@link #quantize}) before returning it: what
     * {@code --quantize int8} does for chat, serve and generate.
     */
    static CausalLM load(Path dir, Device device, Quantization quantization) {
        CausalLM model = load(dir, device);
        try {
            model.quantize(quantization);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * Quantizes the weights of every linear layer for inference, in place and for good. With
     * {@link Quantization#INT8} each weight matrix becomes int8 with a float scale per 32 inputs
     * (llama.cpp's Q8_0) and its float parameter is overwritten with the dequantized values, so the
     * model is one model whichever path computes it: forward calls of at most 16 rows (batch x new
     * tokens, i.e. decoding) run a SIMD int8 kernel that reads a quarter of the bytes, larger ones
     * (prefill) DJL's float matmul. Embedding lookups, norms and attention stay float32. Needs a
     * float32 model and the {@code jdk.incubator.vector} module. Not for training.
     */
    void quantize(Quantization quantization);

    /** How the linear weights are stored: {@link Quantization#NONE} until {@link #quantize}. */
    Quantization quantization();

    /** Bytes of quantized weights and scales held beside the float parameters (0 when not quantized). */
    long quantizedBytes();

    /**
     * A new model with the same architecture, config and values, on the same device, whose
     * parameters are {@code dataType} (FLOAT32 or FLOAT16; DJL 0.36 has no bfloat16 arithmetic).
     * Each parameter is a fresh leaf that requires a gradient. Close it when done.
     */
    CausalLM toDataType(DataType dataType);

    /**
     * Overwrites every parameter in place with {@code source}'s value of the same name, casting to
     * this model's data type (how a float16 working copy follows its float32 masters after each
     * optimizer step). {@code source} must have the same config.
     */
    void copyParametersFrom(CausalLM source);

    /**
     * Full causal forward pass: token ids [batch, steps] (int64) to logits [batch, steps, vocab]
     * (in {@link #dataType()}). Differentiable inside a GradientCollector.
     */
    NDArray forward(NDArray inputIds);

    /**
     * Incremental forward: feeds {@code inputIds} [batch, steps] after the {@link KvCache#length()}
     * positions already in the cache, appends their keys and values to it, and returns the logits
     * of the new positions only. Equal (to float rounding) to the matching rows of a full forward.
     */
    NDArray forward(NDArray inputIds, KvCache cache);

    /**
     * Forward with a padding mask for batched prompts of different lengths: {@code attentionMask}
     * [batch, past + steps] holds 1 for real tokens and 0 for padding (pad on the left for
     * generation). Positions count real tokens only, as transformers derives them from the mask.
     * Either argument after the ids may be null.
     */
    NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache);

    /**
     * The forward pass without the output layer: token ids [batch, steps] to the final norm's output
     * [batch, steps, hidden]; {@code logits(hiddenStates(ids))} equals {@code forward(ids)}. Training
     * reads the logits of the positions its loss counts only, which are few in question/answer data.
     */
    NDArray hiddenStates(NDArray inputIds);

    /** The output layer over hidden states of any leading shape [..., hidden] to logits [..., vocab]. */
    NDArray logits(NDArray hidden);

    /** An empty cache for this model, on its device. Close it when the sequence is done. */
    KvCache newKvCache();

    /** All parameters in Hugging Face order and names (a tied output head is not listed twice). */
    List<Parameter> parameters();

    /** One parameter by its Hugging Face name. */
    Parameter parameter(String name);

    /** Total number of parameters. */
    long numParameters();

    /**
     * Parameters excluding embedding lookup tables (token and learned position embeddings), as
     * transformers' {@code num_parameters(exclude_embeddings=True)} counts them: an untied output
     * projection counts, a tied one does not.
     */
    long numNonEmbeddingParameters();

    /**
     * FLOPs of one training pass (forward and backward) over one sequence of {@code seqLen} tokens,
     * exactly as transformers' {@code floating_point_ops} estimates it: 6 x tokens x non-embedding
     * parameters. This is the figure the course prints.
     */
    long floatingPointOps(int seqLen);

    /**
     * FLOPs per token of a training pass at context {@code seqLen}, for model-FLOPs utilisation:
     * 6 x every parameter that takes part in a matmul (a tied output head included) plus
     * 12 x layers x seqLen x attention width for the attention scores and their weighted sum.
     */
    double trainingFlopsPerToken(int seqLen);

    /** Bytes the parameters occupy (transformers' {@code get_memory_footprint}). */
    long memoryFootprint();

    /**
     * Writes a Hugging Face checkpoint directory: config.json, model.safetensors (float32), and
     * generation_config.json, each atomically; a model loaded from a checkpoint keeps its extra
     * config fields and generation config. Shards above 5 GB like transformers does. A float16 model
     * is saved widened to float32.
     */
    void save(Path dir);

    /** Like {@link #save(Path)}, sharding into files of at most {@code maxShardBytes} with an index. */
    void save(Path dir, long maxShardBytes);

    /**
     * Like {@link #save(Path)}, storing the weights as float16 (half the bytes; {@code torch_dtype} float16),
     * rounded to nearest even, as {@code model.half().save_pretrained(dir)} does. Loading widens them again.
     */
    void saveFloat16(Path dir);

    /** Frees the parameters' native memory. */
    @Override
    void close();
}
