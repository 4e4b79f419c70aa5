package dev.trellis.finetune.train;

import ai.djl.Device;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.model.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny GPT-NeoX and a learnable toy dataset (each token is the previous plus a per-sequence stride). */
final class ToyData {

    static final int VOCAB = 64;

    private ToyData() {
    }

    static ModelConfig config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt_neox");
        m.put("vocab_size", VOCAB);
        m.put("hidden_size", 32);
        m.put("num_hidden_layers", 2);
        m.put("num_attention_heads", 4);
        m.put("intermediate_size", 64);
        m.put("rotary_pct", 0.5);
        m.put("max_position_embeddings", 64);
        m.put("use_parallel_residual", true);
        return ModelConfig.fromMap(m);
    }

    static CausalLM model(long seed) {
        return CausalLM.create(config(), seed, Device.cpu());
    }

    /** {@code n} sequences of 8 to 16 tokens; the first two tokens are the prompt (label -100). */
    static TokenizedDataset dataset(int n, long seed) {
        List<TokenizedExample> out = new ArrayList<>();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            int len = 8 + r.nextInt(9);
            int stride = 1 + r.nextInt(3);
            int start = 1 + r.nextInt(VOCAB - 1);
            int[] ids = new int[len];
            int[] labels = new int[len];
            for (int t = 0; t < len; t++) {
                ids[t] = 1 + (start - 1 + t * stride) % (VOCAB - 1);
                labels[t] = t < 2 ? TokenizedExample.IGNORE_INDEX : ids[t];
            }
            out.add(new TokenizedExample(ids, labels));
        }
        return new TokenizedDataset(out, 0, null, List.of());
    }

    static Map<String, float[]> weights(CausalLM model) {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            w.put(p.name(), p.array().toFloatArray());
        }
        return w;
    }

    static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double max = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }
}
