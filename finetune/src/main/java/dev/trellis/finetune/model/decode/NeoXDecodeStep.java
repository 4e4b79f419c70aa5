package dev.trellis.finetune.model.decode;

import dev.trellis.finetune.model.quant.Q8Matrix;

/**
 * GPT-NeoX's decoding step (the model's {@code GptNeoX}), in plain Java: layer norms, the fused
 * query/key/value projection laid out head by head, rotary embedding on the first {@code rotaryDims}
 * features of each head, a parallel ({@code x + attn(ln1(x)) + mlp(ln2(x))}) or serial residual.
 */
public final class NeoXDecodeStep extends DecodeStep {

    /** What the step needs of the model's config.json. */
    public record Config(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                         String hiddenAct, int rotaryDims, double rotaryBase, double ropeScalingFactor,
                         double layerNormEps, boolean parallelResidual, boolean tiedEmbeddings) {
    }

    private record Layer(float[] ln1Weight, float[] ln1Bias, float[] ln2Weight, float[] ln2Bias,
                         Q8Matrix qkv, float[] qkvBias, Q8Matrix dense, float[] denseBias,
                         Q8Matrix up, float[] upBias, Q8Matrix down, float[] downBias) {
    }

    private final Config config;
    private final Layer[] layers;
    private final float[] finalWeight;
    private final float[] finalBias;
    private final float eps;

    public NeoXDecodeStep(Config c, DecodeWeights w) {
        super(w, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numHeads(), c.hiddenSize() / c.numHeads(),
                new Rotary(c.rotaryDims(), c.rotaryBase(), c.ropeScalingFactor()), "gpt_neox.embed_in.weight",
                c.tiedEmbeddings() ? "gpt_neox.embed_in.weight" : "embed_out.weight",
                new Widths(c.hiddenSize(), 3 * c.hiddenSize(), 0, 0, c.hiddenSize(), c.intermediateSize(), c.vocabSize(),
                        c.rotaryDims() / 2));
        if (!DecodeMath.knows(c.hiddenAct())) {
            throw new IllegalArgumentException("no fused decoding for activation " + c.hiddenAct());
        }
        this.config = c;
        this.layers = new Layer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "gpt_neox.layers." + l + ".";
            layers[l] = new Layer(w.vector(p + "input_layernorm.weight"), w.vector(p + "input_layernorm.bias"),
                    w.vector(p + "post_attention_layernorm.weight"), w.vector(p + "post_attention_layernorm.bias"),
                    w.matrix(p + "attention.query_key_value.weight"), optional(p + "attention.query_key_value.bias"),
                    w.matrix(p + "attention.dense.weight"), optional(p + "attention.dense.bias"),
                    w.matrix(p + "mlp.dense_h_to_4h.weight"), w.vector(p + "mlp.dense_h_to_4h.bias"),
                    w.matrix(p + "mlp.dense_4h_to_h.weight"), w.vector(p + "mlp.dense_4h_to_h.bias"));
        }
        finalWeight = w.vector("gpt_neox.final_layer_norm.weight");
        finalBias = w.vector("gpt_neox.final_layer_norm.bias");
        eps = (float) c.layerNormEps();
    }

    @Override
    protected void layers(Scratch s, Tokens tokens, KvBuffers kv) {
        int batch = tokens.batch();
        int d = headDim;
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            norm(s.x, layer.ln1Weight, layer.ln1Bias, s.h, batch);
            linear(s.h, batch, layer.qkv, layer.qkvBias, s.q);
            // each head's query, key and value rows follow one another: head h's key is at h * 3d + d
            attention(l, s, tokens, kv, s.q, 3 * hidden, 0, 3 * d, s.q, 3 * hidden, d, 3 * d, s.q, 3 * hidden, 2 * d, 3 * d);
            linear(s.attention, batch, layer.dense, layer.denseBias, s.out);
            if (config.parallelResidual()) {
                norm(s.x, layer.ln2Weight, layer.ln2Bias, s.h2, batch);
                mlp(layer, s, batch);
                DecodeMath.addInPlace(s.x, 0, s.out, 0, batch * hidden); // (x + attn) + mlp, as the DJL path adds
                DecodeMath.addInPlace(s.x, 0, s.down, 0, batch * hidden);
            } else {
                DecodeMath.addInPlace(s.x, 0, s.out, 0, batch * hidden);
                norm(s.x, layer.ln2Weight, layer.ln2Bias, s.h2, batch);
                mlp(layer, s, batch);
                DecodeMath.addInPlace(s.x, 0, s.down, 0, batch * hidden);
            }
        }
        norm(s.x, finalWeight, finalBias, s.h, batch);
    }

    /** down(act(up(h2))) into s.down. */
    private void mlp(Layer layer, Scratch s, int batch) {
        linear(s.h2, batch, layer.up, layer.upBias, s.up);
        DecodeMath.activation(config.hiddenAct(), s.up, 0, batch * config.intermediateSize());
        linear(s.up, batch, layer.down, layer.downBias, s.down);
    }

    private void norm(float[] x, float[] weight, float[] bias, float[] out, int batch) {
        for (int b = 0; b < batch; b++) {
            DecodeMath.layerNorm(x, b * hidden, hidden, weight, bias, eps, out, b * hidden);
        }
    }
}
