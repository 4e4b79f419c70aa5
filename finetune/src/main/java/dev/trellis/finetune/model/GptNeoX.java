package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * GPT-NeoX, the architecture of EleutherAI's Pythia models, as transformers'
 * {@code GPTNeoXForCausalLM} defines it: rotary embeddings on the first {@code rotary_pct} of each
 * head, a fused query/key/value projection laid out head by head, a parallel residual
 * ({@code x + attn(ln1(x)) + mlp(ln2(x))}), exact GELU and an untied output projection.
 */
public final class GptNeoX extends AbstractCausalLM {

    /** config.json of {@code model_type: gpt_neox}. */
    public record Config(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                         int intermediateSize, String hiddenAct, double rotaryPct, double rotaryEmbBase,
                         int maxPositionEmbeddings, double layerNormEps, boolean useParallelResidual,
                         boolean tieWordEmbeddings, boolean attentionBias, Integer bosTokenId, Integer eosTokenId,
                         RopeScaling ropeScaling) implements ModelConfig {

        public Config {
            if (hiddenSize % numAttentionHeads != 0) {
                throw new CheckpointException("gpt_neox hidden_size " + hiddenSize + " is not divisible by "
                        + "num_attention_heads " + numAttentionHeads);
            }
            if (!(rotaryPct > 0 && rotaryPct <= 1)) {
                throw new CheckpointException("gpt_neox rotary_pct must be in (0, 1]; got " + rotaryPct);
            }
            checkActivation(hiddenAct);
        }

        /** Size of one attention head. */
        public int headSize() {
            return hiddenSize / numAttentionHeads;
        }

        /** How many features of each head are rotated. */
        public int rotaryDims() {
            return (int) (headSize() * rotaryPct);
        }

        @Override
        public String modelType() {
            return "gpt_neox";
        }

        static Config fromJson(JsonNode j) {
            JsonNode rp = j.path("rope_parameters");
            double pct = rp.hasNonNull("partial_rotary_factor") ? rp.get("partial_rotary_factor").asDouble()
                    : Json.doubleOr(j, "partial_rotary_factor", Json.doubleOr(j, "rotary_pct", 0.25));
            return new Config(Json.requireInt(j, "vocab_size"), Json.requireInt(j, "hidden_size"),
                    Json.requireInt(j, "num_hidden_layers"), Json.requireInt(j, "num_attention_heads"),
                    Json.requireInt(j, "intermediate_size"), Json.stringOr(j, "hidden_act", "gelu"), pct,
                    Json.ropeTheta(j, "rotary_emb_base", 10000), Json.intOr(j, "max_position_embeddings", 2048),
                    Json.doubleOr(j, "layer_norm_eps", 1e-5), Json.boolOr(j, "use_parallel_residual", true),
                    Json.boolOr(j, "tie_word_embeddings", false), Json.boolOr(j, "attention_bias", true),
                    Json.intOrNull(j, "bos_token_id", 0), Json.intOrNull(j, "eos_token_id", 2), Json.ropeScaling(j));
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.putArray("architectures").add("GPTNeoXForCausalLM");
            n.put("model_type", "gpt_neox");
            n.put("vocab_size", vocabSize);
            n.put("hidden_size", hiddenSize);
            n.put("num_hidden_layers", numHiddenLayers);
            n.put("num_attention_heads", numAttentionHeads);
            n.put("intermediate_size", intermediateSize);
            n.put("hidden_act", hiddenAct);
            n.put("rotary_pct", rotaryPct);
            n.put("partial_rotary_factor", rotaryPct);
            n.put("rotary_emb_base", rotaryEmbBase);
            n.put("rope_theta", rotaryEmbBase);
            n.put("max_position_embeddings", maxPositionEmbeddings);
            n.put("layer_norm_eps", layerNormEps);
            n.put("use_parallel_residual", useParallelResidual);
            n.put("tie_word_embeddings", tieWordEmbeddings);
            n.put("attention_bias", attentionBias);
            n.put("attention_dropout", 0.0);
            n.put("hidden_dropout", 0.0);
            n.put("initializer_range", 0.02);
            n.put("use_cache", true);
            Json.putNullable(n, "bos_token_id", bosTokenId);
            Json.putNullable(n, "eos_token_id", eosTokenId);
            if (ropeScaling == null) {
                n.putNull("rope_scaling");
            } else {
                ropeScaling.writeTo(n);
            }
            return n;
        }
    }

    /** One transformer layer's parameters. */
    private record Layer(NDArray ln1Weight, NDArray ln1Bias, NDArray ln2Weight, NDArray ln2Bias,
                         NDArray qkvWeight, NDArray qkvBias, NDArray denseWeight, NDArray denseBias,
                         NDArray upWeight, NDArray upBias, NDArray downWeight, NDArray downBias) {
    }

    private final Config config;
    private final NDArray embedIn;
    private final Layer[] layers;
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;
    private final NDArray embedOut;
    private final RotaryEmbedding rotary;

    GptNeoX(Config c, Device device, WeightSource source, DataType dataType) {
        super(c, device, source, dataType);
        this.config = c;
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        embedIn = parameter("gpt_neox.embed_in.weight", Parameter.Kind.EMBEDDING, c.vocabSize(), h);
        layers = new Layer[c.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "gpt_neox.layers." + l + ".";
            layers[l] = new Layer(
                    parameter(p + "input_layernorm.weight", Parameter.Kind.NORM, h),
                    parameter(p + "input_layernorm.bias", Parameter.Kind.NORM, h),
                    parameter(p + "post_attention_layernorm.weight", Parameter.Kind.NORM, h),
                    parameter(p + "post_attention_layernorm.bias", Parameter.Kind.NORM, h),
                    parameter(p + "attention.query_key_value.weight", Parameter.Kind.WEIGHT, 3 * h, h),
                    c.attentionBias() ? parameter(p + "attention.query_key_value.bias", Parameter.Kind.BIAS, 3 * h) : null,
                    parameter(p + "attention.dense.weight", Parameter.Kind.WEIGHT, h, h),
                    c.attentionBias() ? parameter(p + "attention.dense.bias", Parameter.Kind.BIAS, h) : null,
                    parameter(p + "mlp.dense_h_to_4h.weight", Parameter.Kind.WEIGHT, i, h),
                    parameter(p + "mlp.dense_h_to_4h.bias", Parameter.Kind.BIAS, i),
                    parameter(p + "mlp.dense_4h_to_h.weight", Parameter.Kind.WEIGHT, h, i),
                    parameter(p + "mlp.dense_4h_to_h.bias", Parameter.Kind.BIAS, h));
        }
        finalNormWeight = parameter("gpt_neox.final_layer_norm.weight", Parameter.Kind.NORM, h);
        finalNormBias = parameter("gpt_neox.final_layer_norm.bias", Parameter.Kind.NORM, h);
        embedOut = c.tieWordEmbeddings() ? embedIn : parameter("embed_out.weight", Parameter.Kind.WEIGHT, c.vocabSize(), h);
        rotary = new RotaryEmbedding(c.rotaryDims(), c.rotaryEmbBase(), c.ropeScaling());
        built();
    }

    @Override
    protected NDArray computeHidden(NDArray ids, NDArray attentionMask, KvCache cache) {
        Step step = prepare(ids, attentionMask, cache, 0, null);
        NDArray[] cosSin = rotary.cosSin(step.positions(), step.positionRows(), step.steps(), step.manager(), dataType(),
                config.headSize());
        NDArray x = embedding(ids, embedIn);
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            NDArray attn = attention(layerNorm(x, layer.ln1Weight, layer.ln1Bias, config.layerNormEps()),
                    layer, l, step, cache, cosSin);
            if (config.useParallelResidual()) {
                NDArray mlp = mlp(layerNorm(x, layer.ln2Weight, layer.ln2Bias, config.layerNormEps()), layer);
                x = x.add(attn).add(mlp);
            } else {
                x = x.add(attn);
                x = x.add(mlp(layerNorm(x, layer.ln2Weight, layer.ln2Bias, config.layerNormEps()), layer));
            }
        }
        x = layerNorm(x, finalNormWeight, finalNormBias, config.layerNormEps());
        if (cache != null) {
            cache.advance(step.steps());
        }
        return x;
    }

    @Override
    protected NDArray outputWeight() {
        return embedOut;
    }

    private NDArray attention(NDArray h, Layer layer, int index, Step step, KvCache cache, NDArray[] cosSin) {
        int heads = config.numAttentionHeads();
        int d = config.headSize();
        // The fused projection holds, for each head in turn, its query, key and value rows.
        NDArray qkv = linear(h, layer.qkvWeight, layer.qkvBias)
                .reshape(step.batch(), step.steps(), heads, 3L * d)
                .transpose(0, 2, 1, 3);
        NDList parts = qkv.split(new long[] {d, 2L * d}, 3);
        NDArray q = rotate(parts.get(0), cosSin);
        NDArray k = rotate(parts.get(1), cosSin);
        NDArray out = attend(q, k, parts.get(2), index, step, cache, 1.0 / Math.sqrt(d));
        return linear(out, layer.denseWeight, layer.denseBias);
    }

    /** Applies the rotary embedding to the first rotaryDims features of each head, leaving the rest. */
    private NDArray rotate(NDArray x, NDArray[] cosSin) {
        return RotaryEmbedding.apply(x, cosSin[0], cosSin[1], config.rotaryDims());
    }

    private NDArray mlp(NDArray h, Layer layer) {
        NDArray up = activation(config.hiddenAct(), linear(h, layer.upWeight, layer.upBias));
        return linear(up, layer.downWeight, layer.downBias);
    }

    @Override
    protected int attentionWidth() {
        return config.hiddenSize();
    }
}
