package dev.trellis.finetune.model.decode;

import dev.trellis.finetune.model.quant.Q8Matrix;

/**
 * The Llama family's decoding step (the model's {@code Llama}: llama, qwen2, mistral), in plain Java:
 * RMSNorm, separate query/key/value projections (biases where the checkpoint has them, as qwen2 does),
 * rotary embedding over whole heads, grouped-query attention, a gated MLP {@code down(act(gate(x)) * up(x))}.
 * A sliding window arrives as the attention bias, like padding.
 */
public final class LlamaDecodeStep extends DecodeStep {

    /** What the step needs of the model's config.json. */
    public record Config(int vocabSize, int hiddenSize, int numLayers, int numHeads, int numKeyValueHeads, int headDim,
                         int intermediateSize, String hiddenAct, double ropeTheta, double ropeScalingFactor,
                         double rmsNormEps, boolean tiedEmbeddings) {
    }

    private record Layer(float[] inputNorm, float[] postNorm, Q8Matrix q, float[] qBias, Q8Matrix k, float[] kBias,
                         Q8Matrix v, float[] vBias, Q8Matrix o, float[] oBias, Q8Matrix gate, float[] gateBias,
                         Q8Matrix up, float[] upBias, Q8Matrix down, float[] downBias) {
    }

    private final Config config;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final float eps;

    public LlamaDecodeStep(Config c, DecodeWeights w) {
        super(w, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKeyValueHeads(), c.headDim(),
                new Rotary(c.headDim(), c.ropeTheta(), c.ropeScalingFactor()), "model.embed_tokens.weight",
                c.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight",
                new Widths(c.hiddenSize(), c.numHeads() * c.headDim(), c.numKeyValueHeads() * c.headDim(),
                        c.numKeyValueHeads() * c.headDim(), c.numHeads() * c.headDim(), c.intermediateSize(),
                        c.vocabSize(), c.headDim() / 2));
        if (!DecodeMath.knows(c.hiddenAct())) {
            throw new IllegalArgumentException("no fused decoding for activation " + c.hiddenAct());
        }
        this.config = c;
        this.layers = new Layer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            layers[l] = new Layer(w.vector(p + "input_layernorm.weight"), w.vector(p + "post_attention_layernorm.weight"),
                    w.matrix(p + "self_attn.q_proj.weight"), optional(p + "self_attn.q_proj.bias"),
                    w.matrix(p + "self_attn.k_proj.weight"), optional(p + "self_attn.k_proj.bias"),
                    w.matrix(p + "self_attn.v_proj.weight"), optional(p + "self_attn.v_proj.bias"),
                    w.matrix(p + "self_attn.o_proj.weight"), optional(p + "self_attn.o_proj.bias"),
                    w.matrix(p + "mlp.gate_proj.weight"), optional(p + "mlp.gate_proj.bias"),
                    w.matrix(p + "mlp.up_proj.weight"), optional(p + "mlp.up_proj.bias"),
                    w.matrix(p + "mlp.down_proj.weight"), optional(p + "mlp.down_proj.bias"));
        }
        finalNorm = w.vector("model.norm.weight");
        eps = (float) c.rmsNormEps();
    }

    @Override
    protected void layers(Scratch s, Tokens tokens, KvBuffers kv) {
        int batch = tokens.batch();
        int d = headDim;
        int qWidth = heads * d;
        int kvWidth = kvHeads * d;
        int inter = config.intermediateSize();
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            norm(s.x, layer.inputNorm, s.h, batch);
            linear(s.h, batch, layer.q, layer.qBias, s.q);
            linear(s.h, batch, layer.k, layer.kBias, s.k);
            linear(s.h, batch, layer.v, layer.vBias, s.v);
            attention(l, s, tokens, kv, s.q, qWidth, 0, d, s.k, kvWidth, 0, d, s.v, kvWidth, 0, d);
            linear(s.attention, batch, layer.o, layer.oBias, s.out);
            DecodeMath.addInPlace(s.x, 0, s.out, 0, batch * hidden);
            norm(s.x, layer.postNorm, s.h2, batch);
            linear(s.h2, batch, layer.gate, layer.gateBias, s.gate);
            DecodeMath.activation(config.hiddenAct(), s.gate, 0, batch * inter);
            linear(s.h2, batch, layer.up, layer.upBias, s.up);
            DecodeMath.mulInPlace(s.gate, 0, s.up, 0, batch * inter);
            linear(s.gate, batch, layer.down, layer.downBias, s.down);
            DecodeMath.addInPlace(s.x, 0, s.down, 0, batch * hidden);
        }
        norm(s.x, finalNorm, s.h, batch);
    }

    private void norm(float[] x, float[] weight, float[] out, int batch) {
        for (int b = 0; b < batch; b++) {
            DecodeMath.rmsNorm(x, b * hidden, hidden, weight, eps, out, b * hidden);
        }
    }
}
