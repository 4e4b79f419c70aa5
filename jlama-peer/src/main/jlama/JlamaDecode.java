import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * The peer of {@code trellis bench generate}: Jlama decoding the same checkpoint, measured the way
 * Trellis measures itself: greedy decoding (argmax) at batch 1 through the KV cache, NEW steps after
 * a PROMPT-token prompt of random ids, median of ROUNDS rounds, float32 and quantized interleaved, then
 * one prefill of PREFILL tokens. Ends with one line, {@code JLAMA_RESULT {json}}, that the bench parses.
 *
 * <p>Jlama's quantized model is Q4 (4-bit blocks of 32 with a float scale each): Jlama 0.8.4 has no
 * matrix kernel for 8-bit weights (its I8 is the activations' format, paired with Q4 weights), and
 * quantizing at load skips the row- and column-split matrices. So the checkpoint is quantized to
 * QUANT_DIR first, as Jlama's own {@code quantize} command does, and loaded from there.
 *
 * <p>Jlama's classes are Java 20 bytecode, so the Java 17 build cannot compile this file: a Java 21+
 * JVM runs it with the single-file source launcher,
 * {@code java --add-modules jdk.incubator.vector -cp 'jlama/*' JlamaDecode.java DIR QUANT_DIR PROMPT NEW ROUNDS PREFILL}.
 */
public final class JlamaDecode {

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: JlamaDecode MODEL_DIR QUANT_DIR PROMPT_TOKENS NEW_TOKENS ROUNDS PREFILL_TOKENS");
            System.exit(2);
        }
        File dir = new File(args[0]);
        Path quantDir = Path.of(args[1]);
        int prompt = Integer.parseInt(args[2]);
        int newTokens = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        int prefill = Integer.parseInt(args[5]);

        long start = System.nanoTime();
        AbstractModel fp32 = ModelSupport.loadModel(dir, null, DType.F32, DType.F32, Optional.empty(), Optional.empty());
        double fp32Load = seconds(start);
        start = System.nanoTime();
        SafeTensorSupport.quantizeModel(dir.toPath(), DType.Q4, new String[0], new String[0], Optional.of(quantDir));
        double quantize = seconds(start);
        // I8 working quantization is what Jlama pairs with Q4 weights; it falls back to float32 activations
        // by itself where the model's widths are not multiples of the SIMD width (it logs which it chose).
        AbstractModel q4 = ModelSupport.loadModel(quantDir.toFile(), null, DType.F32, DType.I8, Optional.empty(), Optional.empty());
        int vocab = fp32.getConfig().vocabularySize;
        int context = fp32.getConfig().contextLength;
        prefill = Math.min(prefill, context - 1);
        if (prompt + newTokens + 8 > context) {
            throw new IllegalArgumentException("a " + prompt + "-token prompt and " + newTokens + " new tokens do not fit the "
                    + context + "-token context");
        }

        decode(fp32, prompt, 8, vocab); // warm-up: the JIT compiles the vector kernels
        decode(q4, prompt, 8, vocab);
        double[][] rates = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            rates[0][r] = decode(fp32, prompt, newTokens, vocab);
            rates[1][r] = decode(q4, prompt, newTokens, vocab);
        }
        prefill(fp32, Math.min(32, prefill), vocab); // warm-up of the batched path
        prefill(q4, Math.min(32, prefill), vocab);
        double fp32Prefill = prefill(fp32, prefill, vocab);
        double q4Prefill = prefill(q4, prefill, vocab);
        System.out.printf(Locale.ROOT, "JLAMA_RESULT {\"fp32_tokens_per_s\":%.3f,\"q4_tokens_per_s\":%.3f,"
                        + "\"fp32_prefill_tokens_per_s\":%.2f,\"q4_prefill_tokens_per_s\":%.2f,\"prefill_tokens\":%d,"
                        + "\"q4_activations\":\"%s\",\"threads\":%d,\"fp32_load_s\":%.2f,\"quantize_s\":%.2f}%n",
                median(rates[0]), median(rates[1]), fp32Prefill, q4Prefill, prefill, activations(q4),
                PhysicalCoreExecutor.instance.get().getCoreCount(), fp32Load, quantize);
        // Jlama's worker pools are not daemon threads: without this the process would never end.
        System.exit(0);
    }

    /** New tokens per second over {@code tokens} greedy steps (temperature 0 samples the argmax) after the prompt. */
    private static double decode(AbstractModel model, int prompt, int tokens, int vocab) {
        int[] ids = randomIds(new Random(7), prompt, vocab);
        try (KvBufferCache cache = new KvBufferCache(model);
             KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
             AbstractTensor logits = model.makeDenseTensor(vocab)) {
            int next;
            try (AbstractTensor out = model.batchForward(ids, 0, kv);
                 AbstractTensor last = out.slice(out.shape().first() - 1)) {
                next = model.sample(last, 0f, 0f, logits);
            }
            long start = System.nanoTime();
            for (int t = 0; t < tokens; t++) {
                try (AbstractTensor out = model.forward(next, prompt + t, kv, Optional.empty())) {
                    next = model.sample(out, 0f, 0f, logits);
                }
            }
            return tokens / seconds(start);
        }
    }

    /** Prompt tokens per second of one batched forward pass over {@code tokens} random ids. */
    private static double prefill(AbstractModel model, int tokens, int vocab) {
        int[] ids = randomIds(new Random(11), tokens, vocab);
        try (KvBufferCache cache = new KvBufferCache(model);
             KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID())) {
            long start = System.nanoTime();
            model.batchForward(ids, 0, kv).close();
            return tokens / seconds(start);
        }
    }

    /** The type Jlama quantizes activations to before multiplying them by the model's weights (I8 or F32). */
    private static String activations(AbstractModel model) throws ReflectiveOperationException {
        java.lang.reflect.Field field = AbstractModel.class.getDeclaredField("workingQType");
        field.setAccessible(true);
        return String.valueOf(field.get(model));
    }

    private static int[] randomIds(Random random, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1 + random.nextInt(vocab - 1);
        }
        return ids;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
