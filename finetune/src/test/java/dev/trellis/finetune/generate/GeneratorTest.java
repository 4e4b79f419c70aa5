package dev.trellis.finetune.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.Device;
import dev.trellis.finetune.TinyCheckpoint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties of decoding on a real (tiny, random) model and a real BPE tokenizer. */
class GeneratorTest {

    @TempDir
    static Path dir;
    static CausalLM model;
    static HfTokenizer tokenizer;
    static Generator generator;

    @BeforeAll
    static void setUp() {
        TinyCheckpoint.write(dir, 11);
        model = CausalLM.load(dir, Device.cpu());
        tokenizer = HfTokenizer.load(dir);
        generator = new Generator(model, tokenizer);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        tokenizer.close();
    }

    static GenerationConfig.Builder cfg() {
        return GenerationConfig.builder().maxNewTokens(24).stopAtEos(false);
    }

    @Test
    void greedyIsDeterministic() {
        GenerationResult a = generator.generate("the trail jacket", cfg().build());
        GenerationResult b = generator.generate("the trail jacket", cfg().build());
        assertThat(a.tokenIds()).hasSize(24).isEqualTo(b.tokenIds());
        assertThat(a.text()).isEqualTo(b.text());
    }

    @Test
    void sameSeedSameSampleDifferentSeedDifferentSample() {
        GenerationConfig s1 = cfg().temperature(1.5).seed(7).build();
        int[] a = generator.generate("hiking pants", s1).tokenIds();
        int[] b = generator.generate("hiking pants", s1).tokenIds();
        int[] c = generator.generate("hiking pants", cfg().temperature(1.5).seed(8).build()).tokenIds();
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void kvCacheEqualsNoCache() {
        GenerationResult cached = generator.generate("waterproof jacket price", cfg().build());
        GenerationResult full = generator.generate("waterproof jacket price", cfg().useCache(false).build());
        assertThat(cached.tokenIds()).isEqualTo(full.tokenIds());
    }

    @Test
    void generatesWithAFloat16Model() {
        try (CausalLM half = model.toDataType(ai.djl.ndarray.types.DataType.FLOAT16)) {
            GenerationResult result = new Generator(half, tokenizer).generate("waterproof jacket price", cfg().build());
            assertThat(result.tokenIds()).hasSize(24);
        }
    }

    @Test
    void batchedEqualsOneByOneGreedy() {
        List<String> prompts = List.of("the", "trail jacket with hiking pants and", "price of a café answer");
        List<GenerationResult> batched = generator.generate(prompts, cfg().build());
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(batched.get(i).tokenIds()).as(prompts.get(i))
                    .isEqualTo(generator.generate(prompts.get(i), cfg().build()).tokenIds());
        }
    }

    @Test
    void streamingConcatenatesToTheResultAndNeverSplitsCharacters() {
        for (long seed = 0; seed < 5; seed++) {
            Map<Integer, StringBuilder> streamed = new HashMap<>();
            List<GenerationResult> results = generator.generate(List.of("café", "the trail"),
                    cfg().temperature(2.0).seed(seed).maxNewTokens(40).build(),
                    (i, delta) -> streamed.computeIfAbsent(i, k -> new StringBuilder()).append(delta));
            for (int i = 0; i < 2; i++) {
                assertThat(streamed.getOrDefault(i, new StringBuilder()).toString()).isEqualTo(results.get(i).text());
            }
        }
    }

    @Test
    void stopSequenceIsCutAndNotStreamed() {
        GenerationResult free = generator.generate("the trail", cfg().maxNewTokens(40).build());
        // Pick a stop sequence that the free run produces in its middle.
        String text = free.text();
        assertThat(text.length()).isGreaterThan(6);
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        int at = text.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        GenerationResult cut = generator.generate("the trail", cfg().maxNewTokens(40).stopSequences(stop).build(),
                (i, d) -> streamed.append(d));
        assertThat(cut.text()).isEqualTo(text.substring(0, at));
        assertThat(cut.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(streamed.toString()).isEqualTo(cut.text());
    }

    @Test
    void eosEndsGenerationWhenAllowed() {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(30).eosTokenId(tokenizer.eosTokenId()).build();
        // Whatever greedy decoding picks first, declaring that token the EOS must stop right there.
        int first = generator.generate("the", cfg().maxNewTokens(1).build()).tokenIds()[0];
        GenerationResult r = generator.generate("the", config.toBuilder().eosTokenId(first).build());
        assertThat(r.tokenIds()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void inferenceReturnsTheAnswerWithoutThePrompt() {
        String prompt = "### Question:\nwhat?\n\n### Answer:\n";
        String answer = Generator.inference(prompt, model, tokenizer, 1000, 10);
        GenerationResult direct = generator.generate(prompt, GenerationConfig.builder().maxNewTokens(10).build());
        assertThat(answer).isEqualTo(direct.text()).doesNotContain("### Question");
        assertThat(direct.generatedTokens()).isLessThanOrEqualTo(10);
    }

    @Test
    void promptTooLongForTheContextIsRefused() {
        String longPrompt = "the ".repeat(2100);
        assertThatThrownBy(() -> generator.generate(longPrompt, cfg().build()))
                .isInstanceOf(GenerationException.class).hasMessageContaining("context of 2048");
    }

    @Test
    void topKKeepsExactlyTheKBest() {
        float[] logits = {1f, 5f, 3f, 4f, 2f};
        Sampling.topK(logits, 2);
        assertThat(logits).containsExactly(Float.NEGATIVE_INFINITY, 5f, Float.NEGATIVE_INFINITY, 4f, Float.NEGATIVE_INFINITY);
        Random r = new Random(1);
        float[] base = {1f, 5f, 3f, 4f, 2f};
        for (int i = 0; i < 200; i++) {
            float[] l = base.clone();
            Sampling.topK(l, 2);
            assertThat(Sampling.sample(l, r)).isIn(1, 3);
        }
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // probabilities 0.5, 0.25, 0.125, 0.125
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.125)};
        float[] l = logits.clone();
        Sampling.topP(l, 0.7);
        assertThat(l[0]).isFinite();
        assertThat(l[1]).isFinite();
        assertThat(l[2]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(l[3]).isEqualTo(Float.NEGATIVE_INFINITY);
        float[] one = logits.clone();
        Sampling.topP(one, 0.01);
        assertThat(Sampling.softmax(one)[0]).isEqualTo(1.0);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegative() {
        float[] logits = {2f, -2f, 2f};
        Sampling.repetitionPenalty(logits, new boolean[] {true, true, false}, 2.0);
        assertThat(logits).containsExactly(1f, -4f, 2f);
    }

    @Test
    void repetitionPenaltyReducesRepeatsInGeneration() {
        int[] plain = generator.generate("the", cfg().maxNewTokens(40).build()).tokenIds();
        int[] penalised = generator.generate("the", cfg().maxNewTokens(40).repetitionPenalty(5.0).build()).tokenIds();
        assertThat(distinct(penalised)).isGreaterThan(distinct(plain));
    }

    private static int distinct(int[] ids) {
        List<Integer> seen = new ArrayList<>();
        for (int id : ids) {
            if (!seen.contains(id)) {
                seen.add(id);
            }
        }
        return seen.size();
    }

    @Test
    void badConfigurationIsRefusedWithTheValue() {
        assertThatThrownBy(() -> GenerationConfig.builder().temperature(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> GenerationConfig.builder().topP(0)).hasMessageContaining("topP");
        assertThatThrownBy(() -> GenerationConfig.builder().maxNewTokens(0)).hasMessageContaining("maxNewTokens");
        assertThatThrownBy(() -> GenerationConfig.builder().stopSequences("")).hasMessageContaining("stop");
    }

    @Test
    void aCharacterSplitAcrossTokensIsStreamedWhole() {
        byte[] e = "é".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TextStream stream = new TextStream(List.of());
        stream.append("caf".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(stream.delta()).isEqualTo("caf");
        stream.append(new byte[] {e[0]});
        assertThat(stream.delta()).isEmpty();
        stream.append(new byte[] {e[1], '!'});
        assertThat(stream.delta()).isEqualTo("é!");
    }

    @Test
    void aPossibleStopSequenceIsHeldBackUntilDecided() {
        TextStream stream = new TextStream(List.of("\n###"));
        stream.append("answer\n#".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(stream.delta()).isEqualTo("answer");
        stream.append("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(stream.delta()).isEqualTo("\n#x");
        assertThat(stream.append("\n###".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
        assertThat(stream.delta()).isEmpty();
        assertThat(stream.finish()).isEqualTo("answer\n#x");
    }

    @Test
    void utf8BoundaryDetection() {
        byte[] cafe = "café".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(TextStream.completeLength(cafe)).isEqualTo(cafe.length);
        assertThat(TextStream.completeLength(java.util.Arrays.copyOf(cafe, cafe.length - 1))).isEqualTo(3);
    }
}
