package dev.trellis.finetune.model.decode;

import dev.trellis.finetune.model.quant.Q8Kernel;
import dev.trellis.finetune.model.quant.Q8Matrix;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One decoding step (one new token per row) of an int8 model in plain Java: what both families share,
 * the embedding lookup, attention over {@link KvBuffers} with its rotary embedding, the output projection,
 * and the scratch arrays; a subclass holds its layers and runs them ({@link #layers}).
 */
public abstract class DecodeStep {

    /**
     * One call's tokens: {@code ids[batch]}, their positions ({@code positionRows} of them: 1 when every
     * row shares it) and the additive attention bias over the cache's columns plus the new one
     * ({@code biasRows} x (length + 1); null when every row sees every column), as the model's mask gives.
     */
    public record Tokens(int batch, long[] ids, long[] positions, int positionRows, float[] bias, int biasRows) {
    }

    /** The widths a step's scratch arrays need per row. */
    protected record Widths(int hidden, int q, int k, int v, int attention, int intermediate, int vocab, int rotaryHalf) {
    }

    /** Per-call arrays, [batch, width] each; kept between calls so a step allocates nothing. */
    protected static final class Scratch {
        final int batch;
        final float[] x;
        final float[] h;
        final float[] h2;
        final float[] q;
        final float[] k;
        final float[] v;
        final float[] attention;
        final float[] out;
        final float[] gate;
        final float[] up;
        final float[] down;
        final float[] logits;
        final float[] cos;
        final float[] sin;
        float[] scores = new float[64];

        Scratch(int batch, Widths w) {
            this.batch = batch;
            x = new float[batch * w.hidden()];
            h = new float[batch * w.hidden()];
            h2 = new float[batch * w.hidden()];
            q = new float[batch * w.q()];
            k = new float[batch * w.k()];
            v = new float[batch * w.v()];
            attention = new float[batch * w.attention()];
            out = new float[batch * w.hidden()];
            gate = new float[batch * w.intermediate()];
            up = new float[batch * w.intermediate()];
            down = new float[batch * w.hidden()];
            logits = new float[batch * w.vocab()];
            cos = new float[batch * w.rotaryHalf()];
            sin = new float[batch * w.rotaryHalf()];
        }

        float[] scores(int total) {
            if (scores.length < total) {
                scores = new float[Math.max(total, 2 * scores.length)];
            }
            return scores;
        }
    }

    protected final DecodeWeights weights;
    protected final int numLayers;
    protected final int hidden;
    protected final int heads;
    protected final int kvHeads;
    protected final int headDim;
    protected final Rotary rotary;
    private final String embedding;
    private final Q8Matrix head;
    private final Widths widths;
    private final float scale;
    /** The last call's scratch; a call that finds it taken (another thread decoding) makes its own. */
    private final AtomicReference<Scratch> spare = new AtomicReference<>();

    protected DecodeStep(DecodeWeights weights, int numLayers, int hidden, int heads, int kvHeads, int headDim,
                         Rotary rotary, String embedding, String head, Widths widths) {
        this.weights = weights;
        this.numLayers = numLayers;
        this.hidden = hidden;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rotary = rotary;
        this.embedding = embedding;
        this.head = weights.matrix(head);
        this.widths = widths;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /** Key/value heads and their width, to size {@link KvBuffers} for this model. */
    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /**
     * Runs the step: appends each layer's keys and values to {@code kv} as a new column and hands the
     * logits [batch, vocab] to {@code logitsTo} (the array is reused after it returns).
     */
    public final <T> T run(Tokens tokens, KvBuffers kv, Function<float[], T> logitsTo) {
        int batch = tokens.batch();
        if (kv.rows() != batch || kv.kvHeads() != kvHeads || kv.headDim() != headDim || kv.layers() != numLayers) {
            throw new IllegalArgumentException("key/value buffers of " + kv.rows() + " rows, " + kv.kvHeads() + " x "
                    + kv.headDim() + " heads, " + kv.layers() + " layers do not fit a step of " + batch + " rows, "
                    + kvHeads + " x " + headDim + " heads, " + numLayers + " layers");
        }
        Scratch s = spare.getAndSet(null);
        if (s == null || s.batch != batch) {
            s = new Scratch(batch, widths);
        }
        try {
            kv.reserveColumn();
            int half = rotary.dim() / 2;
            for (int b = 0; b < batch; b++) {
                weights.embedding(embedding, tokens.ids()[b], s.x, b * hidden);
                // every layer rotates by the same angles
                rotary.angles(tokens.positions()[tokens.positionRows() == 1 ? 0 : b], s.cos, s.sin, b * half);
            }
            layers(s, tokens, kv);
            kv.advance();
            Q8Kernel.multiply(s.h, batch, head, null, s.logits); // layers() leaves the final norm's output in h
            return logitsTo.apply(s.logits);
        } finally {
            spare.set(s);
        }
    }

    /** Every layer and the final norm: from the embeddings in {@code s.x} to the normed states in {@code s.h}. */
    protected abstract void layers(Scratch s, Tokens tokens, KvBuffers kv);

    /**
     * Attention of one layer for every row: rotates the new queries and keys, appends keys and values at the
     * new column, and writes the heads' outputs to {@code s.attention} [batch, heads x headDim]. Query head
     * {@code h} of row {@code b} is at {@code q[b * qRow + qBase + h * qStep]}, and so on for k and v, so the
     * fused projection of GPT-NeoX (heads interleaved) and Llama's separate ones read in place.
     */
    protected final void attention(int layer, Scratch s, Tokens tokens, KvBuffers kv,
                                   float[] q, int qRow, int qBase, int qStep,
                                   float[] k, int kRow, int kBase, int kStep,
                                   float[] v, int vRow, int vBase, int vStep) {
        int column = kv.length();
        int total = column + 1;
        int half = rotary.dim() / 2;
        float[] keys = kv.keys(layer);
        float[] values = kv.values(layer);
        float[] scores = s.scores(total);
        int group = heads / kvHeads;
        for (int b = 0; b < tokens.batch(); b++) {
            for (int g = 0; g < kvHeads; g++) {
                int ko = b * kRow + kBase + g * kStep;
                rotary.rotate(k, ko, s.cos, s.sin, b * half);
                int at = kv.offset(b, g) + column * headDim;
                System.arraycopy(k, ko, keys, at, headDim);
                System.arraycopy(v, b * vRow + vBase + g * vStep, values, at, headDim);
            }
            int biasOffset = tokens.bias() == null ? 0 : (tokens.biasRows() == 1 ? 0 : b) * total;
            for (int h = 0; h < heads; h++) {
                int qo = b * qRow + qBase + h * qStep;
                rotary.rotate(q, qo, s.cos, s.sin, b * half);
                DecodeMath.attend(q, qo, keys, values, kv.offset(b, h / group), total, headDim, scale, tokens.bias(),
                        biasOffset, scores, s.attention, (b * heads + h) * headDim);
            }
        }
    }

    /** x W^T + b for {@code batch} rows through the int8 kernel. */
    protected static void linear(float[] x, int batch, Q8Matrix w, float[] bias, float[] y) {
        Q8Kernel.multiply(x, batch, w, bias, y);
    }

    /** A bias the checkpoint may lack: its values, or null. */
    protected final float[] optional(String name) {
        return weights.has(name) ? weights.vector(name) : null;
    }
}
