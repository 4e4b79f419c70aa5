package dev.trellis.finetune.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.KvCache;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;

/**
 * Text generation with a {@link CausalLM}: greedy or sampled decoding, stop sequences, batches of
 * prompts, streaming, and JSON-constrained output.
 *
 * <pre>{@code
 * Generator generator = new Generator(model, tokenizer);
 * String answer = generator.generate("### Question:\nWhat is Trellis?\n\n### Answer:\n",
 *         GenerationConfig.builder().maxNewTokens(64).build()).text();
 * }</pre>
 *
 * <p>Batches are left-padded with an attention mask, so each prompt is decoded as if alone (greedy
 * results equal one-by-one decoding to float rounding). The prompt runs once; each following step
 * feeds only the new tokens and reuses the cached keys and values ({@link KvCache}) unless
 * {@link GenerationConfig#useCache()} is off.
 *
 * <p>With a {@link JsonConstraint}, each step masks the vocabulary to the tokens that keep the output
 * a valid prefix of a document the constraint accepts (a byte-level JSON automaton over a trie of
 * the token bytes). When the tokens left are just enough to close the document, the shortest
 * closing is forced (and a token after which the closing would no longer fit is not taken), so the
 * output always parses and stays within {@code maxNewTokens} whenever the budget can hold the shortest
 * closing at all; only a budget smaller than that (a schema's required fields need more) runs past it.
 *
 * <p>A generator holds no per-call state and may be shared, but DJL models are not meant for
 * concurrent forward passes from many threads: callers serialise (as {@code LocalChatModel} does).
 */
public final class Generator {

    private final CausalLM model;
    private final TrellisTokenizer tokenizer;
    private volatile TokenBytes tokenBytes;
    private volatile TokenTrie trie;

    public Generator(CausalLM model, TrellisTokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " ids but the model's embedding covers "
                    + model.config().vocabSize() + "; use the tokenizer the model was trained with");
        }
    }

    /**
     * The course's {@code inference(text, model, tokenizer)}: greedy decoding of up to 100 tokens after
     * {@code text} (truncated to its last 1000 tokens), returning the answer without the prompt.
     */
    public static String inference(String text, CausalLM model, TrellisTokenizer tokenizer) {
        return inference(text, model, tokenizer, 1000, 100);
    }

    /** As {@link #inference(String, CausalLM, TrellisTokenizer)} with the notes' two limits. */
    public static String inference(String text, CausalLM model, TrellisTokenizer tokenizer, int maxInputTokens, int maxOutputTokens) {
        Generator g = new Generator(model, tokenizer);
        int[] ids = tokenizer.encode(text);
        int room = model.config().maxPositionEmbeddings() - maxOutputTokens;
        int keep = Math.min(maxInputTokens, Math.max(1, room));
        if (ids.length > keep) {
            ids = Arrays.copyOfRange(ids, ids.length - keep, ids.length);
        }
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxOutputTokens).build();
        return g.generateIds(List.of(ids), config, null).get(0).text();
    }

    public GenerationResult generate(String prompt, GenerationConfig config) {
        return generate(List.of(prompt), config, null).get(0);
    }

    public GenerationResult generate(String prompt, GenerationConfig config, TokenStreamListener listener) {
        return generate(List.of(prompt), config, listener).get(0);
    }

    public List<GenerationResult> generate(List<String> prompts, GenerationConfig config) {
        return generate(prompts, config, null);
    }

    /** Generates a continuation of each prompt; {@code listener} (may be null) receives text as it appears. */
    public List<GenerationResult> generate(List<String> prompts, GenerationConfig config, TokenStreamListener listener) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            ids.add(tokenizer.encode(Objects.requireNonNull(p, "prompt")));
        }
        return generateIds(ids, config, listener);
    }

    /** The bytes of each token id of this generator's tokenizer. */
    public TokenBytes tokenBytes() {
        TokenBytes t = tokenBytes;
        if (t == null) {
            synchronized (this) {
                if (tokenBytes == null) {
                    tokenBytes = TokenBytes.of(tokenizer);
                }
                t = tokenBytes;
            }
        }
        return t;
    }

    private TokenTrie trie() {
        TokenTrie t = trie;
        if (t == null) {
            synchronized (this) {
                if (trie == null) {
                    trie = new TokenTrie(tokenBytes(), model.config().vocabSize());
                }
                t = trie;
            }
        }
        return t;
    }

    /** Generates from token ids (no BOS is added: give it in the prompt if the model expects one). */
    public List<GenerationResult> generateIds(List<int[]> prompts, GenerationConfig config, TokenStreamListener listener) {
        // PyTorch's gradient recording is per thread and on by default: a server's worker thread would
        // otherwise build an autograd graph for every decoding step of a trainable model.
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return generateWithoutGradients(prompts, config, listener);
        } finally {
            JniUtils.setGradMode(recording);
        }
    }

    private List<GenerationResult> generateWithoutGradients(List<int[]> prompts, GenerationConfig config,
                                                            TokenStreamListener listener) {
        Objects.requireNonNull(config, "config");
        if (prompts.isEmpty()) {
            return List.of();
        }
        int vocab = model.config().vocabSize();
        int eos = eosTokenId(config);
        int pad = tokenizer.padTokenId();
        long seed = config.seed() != null ? config.seed() : System.nanoTime();

        int batch = prompts.size();
        int maxPrompt = 0;
        List<SequenceDecoder> rows = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int[] p = checkedPrompt(prompts.get(i), "prompt " + i);
            maxPrompt = Math.max(maxPrompt, p.length);
            rows.add(decoder(p, config, seed + i));
        }
        checkContext(maxPrompt, config.maxNewTokens());
        boolean padded = rows.stream().anyMatch(r -> r.prompt.length != rows.get(0).prompt.length);

        // Full sequences (left-padded) and masks, grown by one column per step.
        int capacity = maxPrompt + config.maxNewTokens() + 64;
        long[][] seq = new long[batch][capacity];
        long[][] mask = new long[batch][capacity];
        for (int i = 0; i < batch; i++) {
            int[] p = rows.get(i).prompt;
            int offset = maxPrompt - p.length;
            Arrays.fill(seq[i], 0, offset, pad);
            for (int j = 0; j < p.length; j++) {
                seq[i][offset + j] = p[j];
                mask[i][offset + j] = 1;
            }
        }
        int length = maxPrompt;
        float[] logits = new float[vocab];
        boolean[] allowed = new boolean[vocab];

        try (NDManager manager = NDManager.newBaseManager(model.device());
             KvCache cache = config.useCache() ? model.newKvCache() : null) {
            int fed = 0; // columns already in the cache
            while (!rows.stream().allMatch(SequenceDecoder::finished)) {
                float[] all = null;
                boolean needModel = rows.stream().anyMatch(r -> !r.finished() && !r.forcing());
                if (needModel) {
                    int from = cache == null ? 0 : fed;
                    all = lastLogits(manager, seq, mask, from, length, padded, cache);
                    fed = length;
                }
                for (int i = 0; i < batch; i++) {
                    SequenceDecoder row = rows.get(i);
                    if (row.finished()) {
                        seq[i][length] = pad;
                        mask[i][length] = 1;
                        continue;
                    }
                    int token = row.next(all, i, logits, allowed);
                    seq[i][length] = token;
                    mask[i][length] = 1;
                    String delta = row.accept(token);
                    if (listener != null && !delta.isEmpty()) {
                        listener.onText(i, delta);
                    }
                }
                length++;
                if (length >= capacity) {
                    capacity *= 2;
                    for (int i = 0; i < batch; i++) {
                        seq[i] = Arrays.copyOf(seq[i], capacity);
                        mask[i] = Arrays.copyOf(mask[i], capacity);
                    }
                }
            }
        }
        List<GenerationResult> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int index = i;
            out.add(rows.get(i).finish(rest -> {
                if (listener != null) {
                    listener.onText(index, rest);
                }
            }));
        }
        return out;
    }

    /** The end-of-sequence id {@code config} stops at. */
    int eosTokenId(GenerationConfig config) {
        return config.eosTokenId() != null ? config.eosTokenId() : tokenizer.eosTokenId();
    }

    /** The prompt to condition on, checked against the vocabulary; an empty one starts from BOS (or EOS). */
    int[] checkedPrompt(int[] p, String name) {
        int vocab = model.config().vocabSize();
        if (p.length == 0) {
            // Nothing to condition on: start from BOS, or from EOS as GPT-2-style models do.
            p = new int[] {tokenizer.bosTokenId().orElse(tokenizer.eosTokenId())};
        }
        for (int id : p) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException(name + " holds token id " + id + " outside the model's vocabulary of "
                        + vocab);
            }
        }
        return p;
    }

    /** Refuses a prompt that, with its new tokens, would not fit the model's positions. */
    void checkContext(int promptTokens, int maxNewTokens) {
        int limit = model.config().maxPositionEmbeddings();
        if (promptTokens + maxNewTokens > limit) {
            throw new GenerationException("prompt of " + promptTokens + " tokens plus maxNewTokens " + maxNewTokens
                    + " exceeds the model's context of " + limit + " positions; shorten the prompt or lower maxNewTokens");
        }
    }

    /** A fresh decoding state for one sequence, sampling with {@code seed}. */
    SequenceDecoder decoder(int[] prompt, GenerationConfig config, long seed) {
        return new SequenceDecoder(prompt, config, eosTokenId(config), model.config().vocabSize(), seed, tokenBytes(),
                config.jsonConstraint() == null ? null : trie());
    }

    CausalLM model() {
        return model;
    }

    TrellisTokenizer tokenizer() {
        return tokenizer;
    }

    /** Runs the model over columns [from, length) and returns the last position's logits, [batch * vocab]. */
    private float[] lastLogits(NDManager manager, long[][] seq, long[][] mask, int from, int length, boolean padded,
                               KvCache cache) {
        int batch = seq.length;
        try (NDManager step = manager.newSubManager()) {
            long[][] ids = new long[batch][];
            for (int i = 0; i < batch; i++) {
                ids[i] = Arrays.copyOfRange(seq[i], from, length);
            }
            NDArray input = step.create(ids);
            NDArray attention = null;
            if (padded) {
                long[][] m = new long[batch][];
                for (int i = 0; i < batch; i++) {
                    m[i] = Arrays.copyOfRange(mask[i], 0, length);
                }
                attention = step.create(m);
            }
            NDArray out = model.forward(input, attention, cache);
            NDArray last = out.get(new NDIndex(":, -1, :"));
            // a float16 model's logits are widened for sampling on the host
            return (last.getDataType() == DataType.FLOAT32 ? last : last.toType(DataType.FLOAT32, false)).toFloatArray();
        }
    }
}
