package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Llama family as transformers defines it ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM},
 * {@code MistralForCausalLM}; SmolLM is a llama): RMSNorm before attention and MLP, rotary
 * embeddings over whole heads with base {@code rope_theta}, grouped-query attention
 * ({@code num_key_value_heads} shared by several query heads), a SwiGLU MLP
 * ({@code down(silu(gate(x)) * up(x))}), tied or untied output. Qwen2 adds biases to q, k and v;
 * Mistral may restrict attention to a sliding window.
 */
public final class Llama extends AbstractCausalLM {

    /**
     * config.json of {@code model_type} llama, qwen2 or mistral.
     *
     * @param qkvBias        whether q/k/v projections have biases (qwen2: always; llama: attention_bias)
     * @param outputBias     whether o_proj has a bias (llama with attention_bias only)
     * @param slidingWindow  mistral's attention window, or null for full causal attention
     */
    public record Config(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                         int numAttentionHeads, int numKeyValueHeads, int headDim, String hiddenAct,
                         int maxPositionEmbeddings, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                         boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias,
                         Integer slidingWindow, Integer bosTokenId, Integer eosTokenId) implements ModelConfig {

        public Config {
            switch (modelType) {
                case "llama" -> {
                    if (qkvBias != outputBias) {
                        throw new CheckpointException("llama's attention_bias applies to q, k, v and o together; "
                                + "use model_type qwen2 for biases on q, k, v only");
                    }
                }
                case "qwen2" -> {
                    if (!qkvBias || outputBias || mlpBias) {
                        throw new CheckpointException("qwen2 has biases on q, k and v and nowhere else");
                    }
                }
                case "mistral" -> {
                    if (qkvBias || outputBias || mlpBias) {
                        throw new CheckpointException("mistral has no biases");
                    }
                }
                default -> throw new CheckpointException("Llama.Config model_type must be llama, qwen2 or mistral; got '"
                        + modelType + "'");
            }
            if (numAttentionHeads % numKeyValueHeads != 0) {
                throw new CheckpointException(modelType + " num_attention_heads " + numAttentionHeads
                        + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
            }
            if (!"llama".equals(modelType) && !"mistral".equals(modelType) && slidingWindow != null) {
                throw new CheckpointException("sliding-window attention is supported for mistral only; set "
                        + "use_sliding_window to false");
            }
            checkActivation(hiddenAct);
        }

        static Config fromJson(JsonNode j) {
            String type = j.get("model_type").asText();
            int hidden = Json.requireInt(j, "hidden_size");
            int heads = Json.requireInt(j, "num_attention_heads");
            boolean attentionBias = Json.boolOr(j, "attention_bias", false);
            boolean qwen = type.equals("qwen2");
            Integer window = switch (type) {
                case "mistral" -> Json.intOrNull(j, "sliding_window", 4096);
                case "qwen2" -> Json.boolOr(j, "use_sliding_window", false) ? Json.intOrNull(j, "sliding_window", 4096) : null;
                default -> null;
            };
            int defaultMaxPos = switch (type) {
                case "qwen2" -> 32768;
                case "mistral" -> 4096 * 32;
                default -> 2048;
            };
            return new Config(type, Json.requireInt(j, "vocab_size"), hidden, Json.requireInt(j, "intermediate_size"),
                    Json.requireInt(j, "num_hidden_layers"), heads, Json.intOr(j, "num_key_value_heads", heads),
                    Json.intOr(j, "head_dim", hidden / heads), Json.stringOr(j, "hidden_act", "silu"),
                    Json.intOr(j, "max_position_embeddings", defaultMaxPos), Json.doubleOr(j, "rms_norm_eps", 1e-6),
                    Json.ropeTheta(j, null, 10000.0), Json.ropeScaling(j), Json.boolOr(j, "tie_word_embeddings", false),
                    qwen || attentionBias, !qwen && attentionBias, Json.boolOr(j, "mlp_bias", false), window,
                    Json.intOrNull(j, "bos_token_id", qwen ? null : 1), Json.intOrNull(j, "eos_token_id", qwen ? null : 2));
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.putArray("architectures").add(switch (modelType) {
                case "qwen2" -> "Qwen2ForCausalLM";
                case "mistral" -> "MistralForCausalLM";
                default -> "LlamaForCausalLM";
            });
            n.put("model_type", modelType);
            n.put("vocab_size", vocabSize);
            n.put("hidden_size", hiddenSize);
            n.put("intermediate_size", intermediateSize);
            n.put("num_hidden_layers", numHiddenLayers);
            n.put("num_attention_heads", numAttentionHeads);
            n.put("num_key_value_heads", numKeyValueHeads);
            n.put("head_dim", headDim);
            n.put("hidden_act", hiddenAct);
            n.put("max_position_embeddings", maxPositionEmbeddings);
            n.put("rms_norm_eps", rmsNormEps);
            n.put("rope_theta", ropeTheta);
            if (ropeScaling == null) {
                n.putNull("rope_scaling");
            } else {
                ropeScaling.writeTo(n);
            }
            n.put("tie_word_embeddings", tieWordEmbeddings);
            n.put("attention_dropout", 0.0);
            n.put("initializer_range", 0.02);
            n.put("use_cache", true);
            switch (modelType) {
                case "llama" -> {
                    n.put("attention_bias", qkvBias);
                    n.put("mlp_bias", mlpBias);
                    n.put("pretraining_tp", 1);
                }
                case "qwen2" -> {
                    n.put("use_sliding_window", slidingWindow != null);
                    Json.putNullable(n, "sliding_window", slidingWindow);
                    n.put("max_window_layers", numHiddenLayers);
                }
                default -> Json.putNullable(n, "sliding_window", slidingWindow);
            }
            Json.putNullable(n, "bos_token_id", bosTokenId);
            Json.putNullable(n, "eos_token_id", eosTokenId);
            return n;
        }
    }

    private record Layer(NDArray qWeight, NDArray qBias, NDArray kWeight, NDArray kBias, NDArray vWeight, NDArray vBias,
                         NDArray oWeight, NDArray oBias, NDArray gateWeight, NDArray gateBias, NDArray upWeight,
                         NDArray upBias, NDArray downWeight, NDArray downBias, NDArray inputNorm, NDArray postNorm) {
    }

    private final Config config;
    private final NDArray embedTokens;
    private final Layer[] layers;
    private final NDArray norm;
    private final NDArray lmHead;
    private final RotaryEmbedding rotary;

    Llama(Config c, Device device, WeightSource source, DataType dataType) {
        super(c, device, source, dataType);
        this.config = c;
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        embedTokens = parameter("model.embed_tokens.weight", Parameter.Kind.EMBEDDING, c.vocabSize(), h);
        layers = new Layer[c.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            layers[l] = new Layer(
                    parameter(p + "self_attn.q_proj.weight", Parameter.Kind.WEIGHT, q, h),
                    c.qkvBias() ? parameter(p + "self_attn.q_proj.bias", Parameter.Kind.BIAS, q) : null,
                    parameter(p + "self_attn.k_proj.weight", Parameter.Kind.WEIGHT, kv, h),
                    c.qkvBias() ? parameter(p + "self_attn.k_proj.bias", Parameter.Kind.BIAS, kv) : null,
                    parameter(p + "self_attn.v_proj.weight", Parameter.Kind.WEIGHT, kv, h),
                    c.qkvBias() ? parameter(p + "self_attn.v_proj.bias", Parameter.Kind.BIAS, kv) : null,
                    parameter(p + "self_attn.o_proj.weight", Parameter.Kind.WEIGHT, h, q),
                    c.outputBias() ? parameter(p + "self_attn.o_proj.bias", Parameter.Kind.BIAS, h) : null,
                    parameter(p + "mlp.gate_proj.weight", Parameter.Kind.WEIGHT, i, h),
                    c.mlpBias() ? parameter(p + "mlp.gate_proj.bias", Parameter.Kind.BIAS, i) : null,
                    parameter(p + "mlp.up_proj.weight", Parameter.Kind.WEIGHT, i, h),
                    c.mlpBias() ? parameter(p + "mlp.up_proj.bias", Parameter.Kind.BIAS, i) : null,
                    parameter(p + "mlp.down_proj.weight", Parameter.Kind.WEIGHT, h, i),
                    c.mlpBias() ? parameter(p + "mlp.down_proj.bias", Parameter.Kind.BIAS, h) : null,
                    parameter(p + "input_layernorm.weight", Parameter.Kind.NORM, h),
                    parameter(p + "post_attention_layernorm.weight", Parameter.Kind.NORM, h));
        }
        norm = parameter("model.norm.weight", Parameter.Kind.NORM, h);
        lmHead = c.tieWordEmbeddings() ? embedTokens : parameter("lm_head.weight", Parameter.Kind.WEIGHT, c.vocabSize(), h);
        rotary = new RotaryEmbedding(c.headDim(), c.ropeTheta(), c.ropeScaling());
        built();
    }

    @Override
    protected NDArray computeHidden(NDArray ids, NDArray attentionMask, KvCache cache) {
        Step step = prepare(ids, attentionMask, cache, 0, config.slidingWindow());
        NDArray[] cosSin = rotary.cosSin(step.positions(), step.positionRows(), step.steps(), step.manager(), dataType());
        NDArray x = embedding(ids, embedTokens);
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            x = x.add(attention(rmsNorm(x, layer.inputNorm, config.rmsNormEps()), layer, l, step, cache, cosSin));
            NDArray h = rmsNorm(x, layer.postNorm, config.rmsNormEps());
            NDArray gate = activation(config.hiddenAct(), linear(h, layer.gateWeight, layer.gateBias));
            x = x.add(linear(gate.mul(linear(h, layer.upWeight, layer.upBias)), layer.downWeight, layer.downBias));
        }
        x = rmsNorm(x, norm, config.rmsNormEps());
        if (cache != null) {
            cache.advance(step.steps());
        }
        return x;
    }

    @Override
    protected NDArray outputWeight() {
        return lmHead;
    }

    private NDArray attention(NDArray h, Layer layer, int index, Step step, KvCache cache, NDArray[] cosSin) {
        NDArray q = heads(linear(h, layer.qWeight, layer.qBias), config.numAttentionHeads(), step);
        NDArray k = heads(linear(h, layer.kWeight, layer.kBias), config.numKeyValueHeads(), step);
        NDArray v = heads(linear(h, layer.vWeight, layer.vBias), config.numKeyValueHeads(), step);
        q = RotaryEmbedding.apply(q, cosSin[0], cosSin[1]);
        k = RotaryEmbedding.apply(k, cosSin[0], cosSin[1]);
        NDArray out = attend(q, k, v, index, step, cache, 1.0 / Math.sqrt(config.headDim()));
        return linear(out, layer.oWeight, layer.oBias);
    }

    /** [B, T, heads * headDim] to [B, heads, T, headDim]. */
    private NDArray heads(NDArray x, int heads, Step step) {
        return x.reshape(step.batch(), step.steps(), heads, config.headDim()).transpose(0, 2, 1, 3);
    }

    @Override
    protected int attentionWidth() {
        return config.numAttentionHeads() * config.headDim();
    }
}
