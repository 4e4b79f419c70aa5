package dev.trellis.finetune.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.KvCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: one decoding loop, on a thread of its own, over a batch whose members come
 * and go. A submitted request's prompt is prefilled (together with the others that arrived since
 * the last step) and joins the running batch at the next step; a sequence that stops, reaches its
 * limit, or is cancelled leaves the batch at once and its rows of the KV cache are freed. Each step
 * feeds every running sequence's last token in one forward pass, so the per-step cost of a small
 * model (op dispatch, reading the weights) is shared by the whole batch.
 *
 * <pre>{@code
 * try (BatchScheduler scheduler = new BatchScheduler(new Generator(model, tokenizer), BatchLimits.defaults(model))) {
 *     CompletableFuture<GenerationResult> a = scheduler.submit(tokenizer.encode(p1), config, null);
 *     CompletableFuture<GenerationResult> b = scheduler.submit(tokenizer.encode(p2), config, listener);
 *     a.join(); b.join();
 * }
 * }</pre>
 *
 * <p>Each sequence keeps its own {@link GenerationConfig} (sampling, seed, stop sequences, limits,
 * repetition penalty, JSON or span constraint) and chooses its tokens through the same code as
 * {@link Generator} alone, from its own row of logits; the batch's rows are right-aligned and
 * left-padded with a mask, so a greedy sequence's tokens are those it gets alone (to float rounding).
 * A seed gives the same sample as {@link Generator} with one prompt. The KV cache is always used.
 *
 * <p>Cancel a request with {@code future.cancel(true)}; a listener that throws ends its own
 * sequence (the future fails with that exception), never the batch. The model must not be used by
 * anyone else while the scheduler runs: it is the only caller of its forward pass.
 */
public final class BatchScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);
    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Generator generator;
    private final CausalLM model;
    private final BatchLimits limits;
    private final long kvBytesPerToken;
    private final int pad;
    private final int vocab;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private boolean closed;
    private final Thread loop;

    // Read by stats() from other threads.
    private volatile int batchSize;
    private volatile long kvCacheBytes;
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final Deque<long[]> recentSteps = new ArrayDeque<>(); // {nanoTime, tokens}, guarded by itself

    // Owned by the loop thread.
    private final List<Sequence> running = new ArrayList<>();

    /** One request's journey through the batch. */
    private static final class Sequence {
        final SequenceDecoder decoder;
        final TokenStreamListener listener;
        final CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        /** Prompt plus new tokens at most: the cache columns this sequence may come to need. */
        final int reserve;
        /** Real tokens of this sequence in the cache (its columns are the last {@code own} ones). */
        int own;
        /** The token chosen last, fed at the next step. */
        int pending;
        /** Already counted in {@code completed}. */
        boolean counted;

        Sequence(SequenceDecoder decoder, TokenStreamListener listener) {
            this.decoder = decoder;
            this.listener = listener;
            this.reserve = decoder.prompt.length + decoder.config.maxNewTokens();
        }
    }

    public BatchScheduler(Generator generator, BatchLimits limits) {
        this.generator = Objects.requireNonNull(generator, "generator");
        this.model = generator.model();
        this.limits = Objects.requireNonNull(limits, "limits");
        this.kvBytesPerToken = BatchLimits.kvBytesPerToken(model);
        this.pad = generator.tokenizer().padTokenId();
        this.vocab = model.config().vocabSize();
        this.loop = new Thread(this::runLoop, "trellis-batch-scheduler");
        loop.setDaemon(true);
        loop.start();
    }

    public BatchLimits limits() {
        return limits;
    }

    /**
     * Queues a generation from token ids (no BOS is added) and returns its result's future; {@code listener}
     * (may be null) receives the text as it appears, on the scheduler's thread, with index 0. Invalid input
     * (a token outside the vocabulary, a prompt plus maxNewTokens past the context or the KV-cache budget)
     * is refused here, before anything is queued.
     */
    public CompletableFuture<GenerationResult> submit(int[] prompt, GenerationConfig config, TokenStreamListener listener) {
        Objects.requireNonNull(config, "config");
        int[] ids = generator.checkedPrompt(Objects.requireNonNull(prompt, "prompt"), "prompt");
        generator.checkContext(ids.length, config.maxNewTokens());
        long seed = config.seed() != null ? config.seed() : System.nanoTime();
        Sequence sequence = new Sequence(generator.decoder(ids, config, seed), listener);
        long needed = sequence.reserve * kvBytesPerToken;
        if (needed > limits.kvCacheBytes()) {
            throw new GenerationException("a prompt of " + ids.length + " tokens plus maxNewTokens " + config.maxNewTokens()
                    + " needs " + needed + " bytes of KV cache, more than the scheduler's budget of " + limits.kvCacheBytes()
                    + "; lower maxNewTokens or raise the KV-cache memory (trellis serve --kv-cache-memory)");
        }
        lock.lock();
        try {
            if (closed) {
                throw new GenerationException("the batch scheduler is closed; no new requests are taken");
            }
            waiting.addLast(sequence);
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return sequence.future;
    }

    /** What the scheduler is doing now. */
    public SchedulerStats stats() {
        int queued;
        lock.lock();
        try {
            queued = waiting.size();
        } finally {
            lock.unlock();
        }
        return new SchedulerStats(batchSize, queued, limits.maxBatchSize(), kvCacheBytes, limits.kvCacheBytes(),
                tokensPerSecond(), generatedTokens.get(), completed.get());
    }

    /** Stops taking requests, fails those not finished, and waits for the loop to end. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            loop.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the decoding loop ------------------------------------------------------------------

    private void runLoop() {
        // Gradient recording is per thread and on by default; nothing here is trained.
        JniUtils.setGradMode(false);
        float[] logits = new float[vocab];
        boolean[] allowed = new boolean[vocab];
        try (NDManager manager = NDManager.newBaseManager(model.device());
             KvCache cache = model.newKvCache()) {
            while (true) {
                List<Sequence> joining = admit();
                if (joining == null) {
                    break;
                }
                if (!joining.isEmpty()) {
                    prefill(manager, cache, joining, logits, allowed);
                }
                if (!running.isEmpty()) {
                    step(manager, cache, logits, allowed);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The batch scheduler's loop failed; failing every request it holds", e);
            for (Sequence s : running) {
                s.future.completeExceptionally(e);
            }
            running.clear();
        } finally {
            failWaiting();
            for (Sequence s : running) {
                s.future.completeExceptionally(new GenerationException("the batch scheduler was closed before this"
                        + " request finished"));
            }
            running.clear();
            batchSize = 0;
            kvCacheBytes = 0;
        }
    }

    /** The sequences that join at this step (blocking while there is nothing to do); null once closed. */
    private List<Sequence> admit() {
        lock.lock();
        try {
            while (running.isEmpty() && waiting.isEmpty() && !closed) {
                arrived.awaitUninterruptibly();
            }
            if (closed) {
                return null;
            }
            List<Sequence> joining = new ArrayList<>();
            int longest = 0;
            for (Sequence s : running) {
                longest = Math.max(longest, s.reserve);
            }
            while (!waiting.isEmpty() && running.size() + joining.size() < limits.maxBatchSize()) {
                Sequence next = waiting.peekFirst();
                if (next.future.isDone()) { // cancelled while waiting
                    waiting.pollFirst();
                    completed.incrementAndGet();
                    continue;
                }
                int rows = running.size() + joining.size() + 1;
                // Right-aligned rows are padded to the longest, so the batch's worst case is rows x longest.
                long projected = (long) rows * Math.max(longest, next.reserve) * kvBytesPerToken;
                if (projected > limits.kvCacheBytes() && rows > 1) {
                    break;
                }
                waiting.pollFirst();
                joining.add(next);
                longest = Math.max(longest, next.reserve);
            }
            return joining;
        } finally {
            lock.unlock();
        }
    }

    private void failWaiting() {
        lock.lock();
        try {
            for (Sequence s : waiting) {
                s.future.completeExceptionally(new GenerationException("the batch scheduler was closed before this"
                        + " request started"));
            }
            waiting.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the newcomers' prompts together (left-padded), picks their first tokens, and adds them to the batch. */
    private void prefill(NDManager manager, KvCache cache, List<Sequence> joining, float[] logits, boolean[] allowed) {
        int rows = joining.size();
        int width = 0;
        for (Sequence s : joining) {
            width = Math.max(width, s.decoder.prompt.length);
        }
        long[][] ids = new long[rows][width];
        long[][] mask = new long[rows][width];
        for (int i = 0; i < rows; i++) {
            int[] p = joining.get(i).decoder.prompt;
            int offset = width - p.length;
            Arrays.fill(ids[i], 0, offset, pad);
            for (int j = 0; j < p.length; j++) {
                ids[i][offset + j] = p[j];
                mask[i][offset + j] = 1;
            }
        }
        float[] all;
        try (KvCache fresh = model.newKvCache()) {
            try {
                all = lastLogits(manager, ids, mask, fresh);
            } catch (RuntimeException e) {
                for (Sequence s : joining) {
                    settle(s);
                    s.future.completeExceptionally(e);
                }
                return;
            }
            int produced = 0;
            boolean[] keep = new boolean[rows];
            for (int i = 0; i < rows; i++) {
                Sequence s = joining.get(i);
                s.own = s.decoder.prompt.length;
                produced += choose(s, all, i, logits, allowed) ? 1 : 0;
                keep[i] = stays(s);
            }
            record(produced);
            int[] kept = indicesOf(keep);
            fresh.keepRows(kept);
            for (int i : kept) {
                running.add(joining.get(i));
            }
            cache.absorb(fresh);
        }
        compact(cache);
    }

    /** One decoding step for the whole batch: every sequence's pending token in, one new token each out. */
    private void step(NDManager manager, KvCache cache, float[] logits, boolean[] allowed) {
        int rows = running.size();
        int columns = cache.length() + 1;
        long[][] ids = new long[rows][1];
        long[][] mask = new long[rows][columns];
        boolean padded = false;
        for (int i = 0; i < rows; i++) {
            Sequence s = running.get(i);
            ids[i][0] = s.pending;
            Arrays.fill(mask[i], columns - (s.own + 1), columns, 1);
            padded |= s.own + 1 < columns;
        }
        if (!padded) {
            mask = null; // no row is padded (a lone sequence): the model needs no mask, as Generator gives none
        }
        float[] all;
        try {
            all = lastLogits(manager, ids, mask, cache);
        } catch (RuntimeException e) {
            LOG.error("A decoding step of {} sequences failed; failing them", rows, e);
            for (Sequence s : running) {
                settle(s);
                s.future.completeExceptionally(e);
            }
            running.clear();
            cache.clear();
            publish(cache);
            return;
        }
        int produced = 0;
        boolean[] keep = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            Sequence s = running.get(i);
            s.own++;
            produced += choose(s, all, i, logits, allowed) ? 1 : 0;
            keep[i] = stays(s);
        }
        record(produced);
        int[] kept = indicesOf(keep);
        if (kept.length < rows) {
            List<Sequence> staying = new ArrayList<>(kept.length);
            for (int i : kept) {
                staying.add(running.get(i));
            }
            running.clear();
            running.addAll(staying);
            cache.keepRows(kept);
        }
        compact(cache);
    }

    /**
     * Picks the sequence's next token from its row of {@code all} and passes its text on; completes the
     * future when the sequence is over. Returns whether a token was produced.
     */
    private boolean choose(Sequence s, float[] all, int row, float[] logits, boolean[] allowed) {
        if (s.future.isDone()) {
            return false;
        }
        try {
            int token = s.decoder.next(all, row, logits, allowed);
            s.pending = token;
            String delta = s.decoder.accept(token);
            if (s.listener != null && !delta.isEmpty()) {
                s.listener.onText(0, delta);
            }
            if (s.decoder.finished()) {
                GenerationResult result = s.decoder.finish(rest -> {
                    if (s.listener != null) {
                        s.listener.onText(0, rest);
                    }
                });
                settle(s);
                s.future.complete(result);
            }
            return true;
        } catch (RuntimeException e) {
            // The caller's listener failed (a client that left) or the constraint did: this sequence alone ends.
            settle(s);
            s.future.completeExceptionally(e);
            return true;
        }
    }

    /** Whether the sequence stays in the batch; one that finished, failed or was cancelled is counted as it leaves. */
    private boolean stays(Sequence s) {
        if (s.future.isDone()) {
            settle(s);
            return false;
        }
        return true;
    }

    /** Counts a sequence as completed once, before its caller can see the result. */
    private void settle(Sequence s) {
        if (!s.counted) {
            s.counted = true;
            completed.incrementAndGet();
        }
    }

    /** Drops columns that are padding in every row (left by sequences that left) and publishes the figures. */
    private void compact(KvCache cache) {
        int longest = 0;
        for (Sequence s : running) {
            longest = Math.max(longest, s.own);
        }
        if (running.isEmpty()) {
            cache.clear();
        } else if (cache.length() > longest) {
            cache.dropLeft(cache.length() - longest);
        }
        publish(cache);
    }

    private void publish(KvCache cache) {
        batchSize = running.size();
        kvCacheBytes = cache.bytes();
    }

    /**
     * Runs the model over {@code ids} after the cache's columns (with {@code mask}, null when nothing is padded)
     * and returns the last position's logits, [rows * vocab].
     */
    private float[] lastLogits(NDManager manager, long[][] ids, long[][] mask, KvCache cache) {
        try (NDManager step = manager.newSubManager()) {
            NDArray out = model.forward(step.create(ids), mask == null ? null : step.create(mask), cache);
            NDArray last = out.get(new NDIndex(":, -1, :"));
            return (last.getDataType() == DataType.FLOAT32 ? last : last.toType(DataType.FLOAT32, false)).toFloatArray();
        }
    }

    private static int[] indicesOf(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < keep.length; i++) {
            if (keep[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    private void record(int tokens) {
        if (tokens == 0) {
            return;
        }
        generatedTokens.addAndGet(tokens);
        long now = System.nanoTime();
        synchronized (recentSteps) {
            recentSteps.addLast(new long[] {now, tokens});
            while (now - recentSteps.peekFirst()[0] > RATE_WINDOW_NANOS) {
                recentSteps.pollFirst();
            }
        }
    }

    private double tokensPerSecond() {
        long now = System.nanoTime();
        synchronized (recentSteps) {
            while (!recentSteps.isEmpty() && now - recentSteps.peekFirst()[0] > RATE_WINDOW_NANOS) {
                recentSteps.pollFirst();
            }
            if (recentSteps.isEmpty()) {
                return 0;
            }
            long tokens = 0;
            for (long[] s : recentSteps) {
                tokens += s[1];
            }
            double seconds = Math.max(now - recentSteps.peekFirst()[0], TimeUnit.MILLISECONDS.toNanos(100)) / 1e9;
            return tokens / seconds;
        }
    }
}
