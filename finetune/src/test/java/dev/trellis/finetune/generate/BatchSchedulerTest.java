package dev.trellis.finetune.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import ai.djl.Device;
import dev.trellis.finetune.TinyCheckpoint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching on a real (tiny, random) model: per-request results equal decoding each request alone. */
class BatchSchedulerTest {

    @TempDir
    static Path dir;
    static CausalLM model;
    static HfTokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void setUp() {
        TinyCheckpoint.write(dir, 23);
        model = CausalLM.load(dir, Device.cpu());
        tokenizer = HfTokenizer.load(dir);
        generator = new Generator(model, tokenizer);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        tokenizer.close();
    }

    private static final String[] WORDS = {"trail", "jacket", "waterproof", "hiking", "pants", "price", "the", "with",
        "question", "answer", "destination", "café"};

    /** Prompts of different lengths, so the batch is ragged. */
    private static String prompt(int i) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < 1 + (i * 7) % 13; w++) {
            sb.append(WORDS[(i * 5 + w * 3) % WORDS.length]).append(' ');
        }
        return sb.toString().strip();
    }

    /** Per-request settings that differ across the batch: budgets, stops, sampling, penalties, JSON. */
    private static GenerationConfig config(int i) {
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(4 + (i * 11) % 29);
        switch (i % 6) {
            case 0 -> b.stopAtEos(false);
            case 1 -> b.stopSequences("the");
            case 2 -> b.temperature(0.9).topK(20).topP(0.9).seed(100 + i);
            case 3 -> b.repetitionPenalty(1.3).stopAtEos(false);
            case 4 -> b.jsonConstraint(JsonConstraint.object(Map.of("answer", JsonConstraint.string()), List.of("answer")))
                    .maxNewTokens(24);
            default -> b.temperature(1.2).seed(7).stopAtEos(false);
        }
        return b.build();
    }

    @Test
    void thirtyTwoMixedRequestsGetExactlyTheirAloneResults() throws Exception {
        int n = 32;
        List<GenerationResult> alone = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            alone.add(generator.generate(prompt(i), config(i)));
        }
        List<CompletableFuture<GenerationResult>> batched = new ArrayList<>();
        List<StringBuilder> streamed = new ArrayList<>();
        try (BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(12, 1L << 30))) {
            for (int i = 0; i < n; i++) {
                StringBuilder text = new StringBuilder();
                streamed.add(text);
                batched.add(scheduler.submit(tokenizer.encode(prompt(i)), config(i), (index, delta) -> text.append(delta)));
                if (i % 5 == 4) {
                    Thread.sleep(15); // arrivals spread over the run, so requests join a batch already decoding
                }
            }
            for (int i = 0; i < n; i++) {
                GenerationResult got = batched.get(i).get(60, TimeUnit.SECONDS);
                assertThat(got.tokenIds()).as("request %d (%s)", i, config(i)).isEqualTo(alone.get(i).tokenIds());
                assertThat(got.text()).isEqualTo(alone.get(i).text());
                assertThat(got.finishReason()).isEqualTo(alone.get(i).finishReason());
                assertThat(got.promptTokens()).isEqualTo(alone.get(i).promptTokens());
                assertThat(streamed.get(i).toString()).isEqualTo(got.text());
            }
            SchedulerStats stats = awaitIdle(scheduler);
            assertThat(stats.completed()).isEqualTo(n);
            assertThat(stats.generatedTokens()).isPositive();
            assertThat(stats.batchSize()).isZero();
            assertThat(stats.kvCacheBytes()).isZero();
        }
    }

    /**
     * The same with the model in int8, whose decoding steps run fused in Java (keys and values in Java arrays,
     * written back to DJL whenever a request joins or leaves): batched results still equal each request alone.
     */
    @Test
    void int8BatchedRequestsGetTheirAloneResults() throws Exception {
        try (CausalLM int8 = CausalLM.load(dir, Device.cpu(), Quantization.INT8)) {
            Generator quantized = new Generator(int8, tokenizer);
            int n = 16;
            List<GenerationResult> alone = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                alone.add(quantized.generate(prompt(i), config(i)));
            }
            List<CompletableFuture<GenerationResult>> batched = new ArrayList<>();
            try (BatchScheduler scheduler = new BatchScheduler(quantized, new BatchLimits(6, 1L << 30))) {
                for (int i = 0; i < n; i++) {
                    batched.add(scheduler.submit(tokenizer.encode(prompt(i)), config(i), null));
                    if (i % 4 == 3) {
                        Thread.sleep(10);
                    }
                }
                for (int i = 0; i < n; i++) {
                    GenerationResult got = batched.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(got.tokenIds()).as("request %d (%s)", i, config(i)).isEqualTo(alone.get(i).tokenIds());
                }
                assertThat(awaitIdle(scheduler).kvCacheBytes()).isZero();
            }
        }
    }

    /** The figures once the loop has published its last step (a result reaches its caller just before). */
    private static SchedulerStats awaitIdle(BatchScheduler scheduler) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (scheduler.stats().batchSize() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return scheduler.stats();
    }

    @Test
    void batchSizeBoundIsKeptAndEveryRequestFinishes() throws Exception {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(20).stopAtEos(false).build();
        try (BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(3, 1L << 30))) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(scheduler.submit(tokenizer.encode(prompt(i)), config, null));
            }
            int maxSeen = 0;
            while (!futures.stream().allMatch(CompletableFuture::isDone)) {
                SchedulerStats s = scheduler.stats();
                maxSeen = Math.max(maxSeen, s.batchSize());
                assertThat(s.batchSize()).isLessThanOrEqualTo(3);
                Thread.sleep(1);
            }
            assertThat(maxSeen).isBetween(2, 3);
            for (CompletableFuture<GenerationResult> f : futures) {
                assertThat(f.get().tokenIds()).hasSize(20);
            }
        }
    }

    @Test
    void kvCacheBudgetHoldsBackRequestsAndRefusesOneThatCanNeverFit() throws Exception {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(30).stopAtEos(false).build();
        long perToken = BatchLimits.kvBytesPerToken(model);
        int[] ids = tokenizer.encode(prompt(3));
        // room for two such sequences at a time, not three
        long budget = 2L * (ids.length + 30) * perToken + perToken;
        try (BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(8, budget))) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(scheduler.submit(ids, config, null));
            }
            while (!futures.stream().allMatch(CompletableFuture::isDone)) {
                SchedulerStats s = scheduler.stats();
                assertThat(s.batchSize()).isLessThanOrEqualTo(2);
                assertThat(s.kvCacheBytes()).isLessThanOrEqualTo(budget);
                Thread.sleep(1);
            }
            int[] first = futures.get(0).get().tokenIds();
            for (CompletableFuture<GenerationResult> f : futures) {
                assertThat(f.get().tokenIds()).isEqualTo(first);
            }
            GenerationConfig huge = GenerationConfig.builder().maxNewTokens(1000).build();
            assertThatThrownBy(() -> scheduler.submit(ids, huge, null))
                    .isInstanceOf(GenerationException.class)
                    .hasMessageContaining("KV cache").hasMessageContaining("maxNewTokens");
        }
    }

    @Test
    void cancelledAndFailingSequencesLeaveWithoutDisturbingTheOthers() throws Exception {
        GenerationConfig longRun = GenerationConfig.builder().maxNewTokens(400).stopAtEos(false).build();
        GenerationConfig shortRun = GenerationConfig.builder().maxNewTokens(40).stopAtEos(false).build();
        int[] expected = generator.generate(prompt(5), shortRun).tokenIds();
        try (BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(8, 1L << 30))) {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<GenerationResult> cancelled = scheduler.submit(tokenizer.encode(prompt(1)), longRun,
                    (i, delta) -> started.countDown());
            CompletableFuture<GenerationResult> failing = scheduler.submit(tokenizer.encode(prompt(2)), longRun,
                    (i, delta) -> {
                        throw new IllegalStateException("client went away");
                    });
            CompletableFuture<GenerationResult> normal = scheduler.submit(tokenizer.encode(prompt(5)), shortRun, null);
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            cancelled.cancel(true);
            assertThat(normal.get(60, TimeUnit.SECONDS).tokenIds()).isEqualTo(expected);
            assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("client went away");
            SchedulerStats stats = awaitIdle(scheduler);
            assertThat(stats.batchSize()).isZero();
            assertThat(stats.kvCacheBytes()).isZero();
            assertThat(stats.completed()).isEqualTo(3);
        }
    }

    @Test
    void closingFailsWhatIsLeftAndRefusesNewWork() throws Exception {
        GenerationConfig longRun = GenerationConfig.builder().maxNewTokens(1500).stopAtEos(false).build();
        BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(1, 1L << 30));
        CompletableFuture<GenerationResult> running = scheduler.submit(tokenizer.encode(prompt(1)), longRun, null);
        CompletableFuture<GenerationResult> queued = scheduler.submit(tokenizer.encode(prompt(2)), longRun, null);
        scheduler.close();
        assertThat(running).isCompletedExceptionally();
        assertThat(queued).isCompletedExceptionally();
        assertThatThrownBy(() -> scheduler.submit(tokenizer.encode(prompt(3)), longRun, null))
                .isInstanceOf(GenerationException.class).hasMessageContaining("closed");
    }

    @Test
    void badInputIsRefusedAtSubmission() {
        try (BatchScheduler scheduler = new BatchScheduler(generator, new BatchLimits(2, 1L << 30))) {
            assertThatThrownBy(() -> scheduler.submit(new int[] {1, 99_999}, GenerationConfig.defaults(), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99999");
            GenerationConfig tooLong = GenerationConfig.builder().maxNewTokens(5000).build();
            assertThatThrownBy(() -> scheduler.submit(new int[] {1, 2}, tooLong, null))
                    .isInstanceOf(GenerationException.class).hasMessageContaining("context");
        }
        assertThatThrownBy(() -> new BatchLimits(0, 10)).hasMessageContaining("maxBatchSize");
    }
}
