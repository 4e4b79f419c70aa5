package dev.trellis.finetune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * GPT-2 as transformers' {@code GPT2LMHeadModel} defines it: learned position embeddings,
 * pre-LayerNorm blocks, the tanh-approximated GELU ({@code gelu_new}) and an output head tied to the
 * token embedding. Its projections are Conv1D layers, stored transposed ([in, out]) and applied as
 * {@code x @ W + b}.
 */
public final class Gpt2 extends AbstractCausalLM {

    /** config.json of {@code model_type: gpt2}. */
    public record Config(int vocabSize, int nEmbd, int nLayer, int nHead, int nPositions, int nInner,
                         String activationFunction, double layerNormEpsilon, boolean scaleAttnWeights,
                         boolean scaleAttnByInverseLayerIdx, boolean tieWordEmbeddings,
                         Integer bosTokenId, Integer eosTokenId) implements ModelConfig {

        public Config {
            if (nEmbd % nHead != 0) {
                throw new CheckpointException("gpt2 n_embd " + nEmbd + " is not divisible by n_head " + nHead);
            }
            checkActivation(activationFunction);
        }

        @Override
        public String modelType() {
            return "gpt2";
        }

        @Override
        public int hiddenSize() {
            return nEmbd;
        }

        @Override
        public int numHiddenLayers() {
            return nLayer;
        }

        @Override
        public int numAttentionHeads() {
            return nHead;
        }

        @Override
        public int maxPositionEmbeddings() {
            return nPositions;
        }

        static Config fromJson(JsonNode j) {
            int embd = Json.requireInt(j, "n_embd");
            return new Config(Json.requireInt(j, "vocab_size"), embd, Json.requireInt(j, "n_layer"),
                    Json.requireInt(j, "n_head"), Json.intOr(j, "n_positions", 1024),
                    Json.intOr(j, "n_inner", 4 * embd), Json.stringOr(j, "activation_function", "gelu_new"),
                    Json.doubleOr(j, "layer_norm_epsilon", 1e-5), Json.boolOr(j, "scale_attn_weights", true),
                    Json.boolOr(j, "scale_attn_by_inverse_layer_idx", false), Json.boolOr(j, "tie_word_embeddings", true),
                    Json.intOrNull(j, "bos_token_id", 50256), Json.intOrNull(j, "eos_token_id", 50256));
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.putArray("architectures").add("GPT2LMHeadModel");
            n.put("model_type", "gpt2");
            n.put("vocab_size", vocabSize);
            n.put("n_embd", nEmbd);
            n.put("n_layer", nLayer);
            n.put("n_head", nHead);
            n.put("n_positions", nPositions);
            n.put("n_ctx", nPositions);
            n.put("n_inner", nInner);
            n.put("activation_function", activationFunction);
            n.put("layer_norm_epsilon", layerNormEpsilon);
            n.put("scale_attn_weights", scaleAttnWeights);
            n.put("scale_attn_by_inverse_layer_idx", scaleAttnByInverseLayerIdx);
            n.put("reorder_and_upcast_attn", false);
            n.put("tie_word_embeddings", tieWordEmbeddings);
            n.put("attn_pdrop", 0.0);
            n.put("embd_pdrop", 0.0);
            n.put("resid_pdrop", 0.0);
            n.put("initializer_range", 0.02);
            n.put("use_cache", true);
            Json.putNullable(n, "bos_token_id", bosTokenId);
            Json.putNullable(n, "eos_token_id", eosTokenId);
            return n;
        }
    }

    private record Block(NDArray ln1Weight, NDArray ln1Bias, NDArray attnWeight, NDArray attnBias,
                         NDArray projWeight, NDArray projBias, NDArray ln2Weight, NDArray ln2Bias,
                         NDArray fcWeight, NDArray fcBias, NDArray mlpProjWeight, NDArray mlpProjBias) {
    }

    private final Config config;
    private final NDArray wte;
    private final NDArray wpe;
    private final Block[] blocks;
    private final NDArray lnFWeight;
    private final NDArray lnFBias;
    private final NDArray lmHead;

    Gpt2(Config c, Device device, WeightSource source, DataType dataType) {
        super(c, device, source, dataType);
        this.config = c;
        long h = c.nEmbd();
        long inner = c.nInner();
        // transformers scales the residual projections' init by 1/sqrt(2 * layers) (GPT-2 paper).
        double residualStd = 0.02 / Math.sqrt(2.0 * c.nLayer());
        wte = parameter("transformer.wte.weight", Parameter.Kind.EMBEDDING, c.vocabSize(), h);
        wpe = parameter("transformer.wpe.weight", Parameter.Kind.EMBEDDING, c.nPositions(), h);
        blocks = new Block[c.nLayer()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "transformer.h." + l + ".";
            blocks[l] = new Block(
                    parameter(p + "ln_1.weight", Parameter.Kind.NORM, h),
                    parameter(p + "ln_1.bias", Parameter.Kind.NORM, h),
                    parameter(p + "attn.c_attn.weight", Parameter.Kind.WEIGHT, h, 3 * h),
                    parameter(p + "attn.c_attn.bias", Parameter.Kind.BIAS, 3 * h),
                    parameter(p + "attn.c_proj.weight", Parameter.Kind.WEIGHT, residualStd, h, h),
                    parameter(p + "attn.c_proj.bias", Parameter.Kind.BIAS, h),
                    parameter(p + "ln_2.weight", Parameter.Kind.NORM, h),
                    parameter(p + "ln_2.bias", Parameter.Kind.NORM, h),
                    parameter(p + "mlp.c_fc.weight", Parameter.Kind.WEIGHT, h, inner),
                    parameter(p + "mlp.c_fc.bias", Parameter.Kind.BIAS, inner),
                    parameter(p + "mlp.c_proj.weight", Parameter.Kind.WEIGHT, residualStd, inner, h),
                    parameter(p + "mlp.c_proj.bias", Parameter.Kind.BIAS, h));
        }
        lnFWeight = parameter("transformer.ln_f.weight", Parameter.Kind.NORM, h);
        lnFBias = parameter("transformer.ln_f.bias", Parameter.Kind.NORM, h);
        lmHead = c.tieWordEmbeddings() ? wte : parameter("lm_head.weight", Parameter.Kind.WEIGHT, c.vocabSize(), h);
        built();
    }

    @Override
    protected NDArray computeHidden(NDArray ids, NDArray attentionMask, KvCache cache) {
        Step step = prepare(ids, attentionMask, cache, config.nPositions(), null);
        NDArray positions = step.manager().create(step.positions(), new Shape(step.positionRows(), step.steps()));
        NDArray x = embedding(ids, wte).add(embedding(positions, wpe));
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            x = x.add(attention(layerNorm(x, b.ln1Weight, b.ln1Bias, config.layerNormEpsilon()), b, l, step, cache));
            NDArray h = layerNorm(x, b.ln2Weight, b.ln2Bias, config.layerNormEpsilon());
            NDArray up = activation(config.activationFunction(), conv1d(h, b.fcWeight, b.fcBias));
            x = x.add(conv1d(up, b.mlpProjWeight, b.mlpProjBias));
        }
        x = layerNorm(x, lnFWeight, lnFBias, config.layerNormEpsilon());
        if (cache != null) {
            cache.advance(step.steps());
        }
        return x;
    }

    @Override
    protected NDArray outputWeight() {
        return lmHead;
    }

    private NDArray attention(NDArray h, Block b, int index, Step step, KvCache cache) {
        int heads = config.nHead();
        int d = config.nEmbd() / heads;
        NDList qkv = conv1d(h, b.attnWeight, b.attnBias).split(new long[] {config.nEmbd(), 2L * config.nEmbd()}, 2);
        NDArray q = heads(qkv.get(0), step);
        NDArray k = heads(qkv.get(1), step);
        NDArray v = heads(qkv.get(2), step);
        double scale = (config.scaleAttnWeights() ? 1.0 / Math.sqrt(d) : 1.0)
                / (config.scaleAttnByInverseLayerIdx() ? index + 1 : 1);
        NDArray out = attend(q, k, v, index, step, cache, scale);
        return conv1d(out, b.projWeight, b.projBias);
    }

    /** [B, T, H] to [B, heads, T, headSize]. */
    private NDArray heads(NDArray x, Step step) {
        return x.reshape(step.batch(), step.steps(), config.nHead(), config.nEmbd() / config.nHead()).transpose(0, 2, 1, 3);
    }

    /** transformers' Conv1D: the weight is [in, out]. */
    private static NDArray conv1d(NDArray x, NDArray weight, NDArray bias) {
        return x.matMul(weight).add(bias);
    }

    @Override
    protected int attentionWidth() {
        return config.nEmbd();
    }
}
