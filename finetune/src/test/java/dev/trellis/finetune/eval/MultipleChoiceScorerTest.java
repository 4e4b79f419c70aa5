package dev.trellis.finetune.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.BpeTrainer;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultipleChoiceScorerTest {

    @TempDir
    static Path dir;
    static List<MultipleChoiceQuestion> questions;
    static HfTokenizer tokenizer;
    static CausalLM model;

    @BeforeAll
    static void setUp() throws URISyntaxException {
        questions = MultipleChoiceQuestion.readJsonl(
                Path.of(MultipleChoiceScorerTest.class.getResource("/eval/arc_style.jsonl").toURI()));
        List<String> corpus = new ArrayList<>();
        for (MultipleChoiceQuestion q : questions) {
            corpus.add(MultipleChoiceScorer.ARC_CONTEXT.apply(q));
            q.choices().forEach(c -> corpus.add(" " + c));
        }
        BpeTrainer.builder().vocabSize(400).build().train(corpus).save(dir);
        tokenizer = HfTokenizer.load(dir);
        model = CausalLM.create(ModelConfig.fromMap(config(tokenizer.vocabSize())), 7);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        tokenizer.close();
    }

    static Map<String, Object> config(int vocab) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "gpt_neox");
        m.put("vocab_size", vocab);
        m.put("hidden_size", 32);
        m.put("num_hidden_layers", 2);
        m.put("num_attention_heads", 4);
        m.put("intermediate_size", 64);
        m.put("rotary_pct", 0.5);
        m.put("max_position_embeddings", 128);
        return m;
    }

    @Test
    void shippedSetIsWellFormed() {
        assertThat(questions).hasSize(40);
        assertThat(questions).allSatisfy(q -> assertThat(q.choices()).hasSize(4));
        assertThat(questions.stream().map(MultipleChoiceQuestion::id).distinct()).hasSize(40);
    }

    @Test
    void randomModelGivesDeterministicProbabilitiesAndAccuracies() {
        MultipleChoiceScorer scorer = new MultipleChoiceScorer(model, tokenizer);
        MultipleChoiceResult r = scorer.score(questions);
        MultipleChoiceResult again = scorer.score(questions.subList(0, 3));
        assertThat(r.acc()).isBetween(0.0, 1.0);
        assertThat(r.accNorm()).isBetween(0.0, 1.0);
        for (int i = 0; i < questions.size(); i++) {
            ChoiceScore s = r.scores().get(i);
            if (i < 3) {
                assertThat(s.logLikelihoods()).containsExactly(again.scores().get(i).logLikelihoods());
                // batched with padding equals scoring each choice on its own
                for (int c = 0; c < 4; c++) {
                    assertThat(scorer.logLikelihood(MultipleChoiceScorer.ARC_CONTEXT.apply(questions.get(i)),
                            " " + questions.get(i).choices().get(c))[0]).isCloseTo(s.logLikelihoods()[c], within(1e-4));
                }
            }
            for (double ll : s.logLikelihoods()) {
                assertThat(ll).isNegative();          // a probability below 1
                assertThat(Math.exp(ll)).isPositive();
            }
        }
        assertThat(r.toMap()).containsKeys("acc", "acc_stderr", "acc_norm", "acc_norm_stderr");
        assertThat(r.accStderr()).isCloseTo(Math.sqrt(r.acc() * (1 - r.acc()) / 39), within(1e-12));
    }

    @Test
    void nextTokenProbabilitiesSumToOne() {
        // every single-token continuation after the same context: their probabilities cover the vocabulary
        String ctx = "Question: why?\nAnswer:";
        int[] ids = tokenizer.encode(ctx);
        double total = 0;
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(model.device())) {
            long[] in = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                in[i] = ids[i];
            }
            NDArray logits = model.forward(m.create(new long[][] {in}));
            float[] last = logits.get(0).get(ids.length - 1).toFloatArray();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : last) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (float v : last) {
                z += Math.exp(v - max);
            }
            // the scorer's value for one token equals the hand-computed log-softmax
            String word = " wool";
            int[] whole = tokenizer.encode(ctx + word);
            int[] cont = java.util.Arrays.copyOfRange(whole, ids.length, whole.length);
            if (cont.length == 1) {
                double expected = last[cont[0]] - max - Math.log(z);
                assertThat(new MultipleChoiceScorer(model, tokenizer).logLikelihood(ctx, word)[0])
                        .isCloseTo(expected, within(1e-4));
            }
            for (float v : last) {
                total += Math.exp(v - max) / z;
            }
        }
        assertThat(total).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void modelForcedToPreferTokensPicksTheirChoice() {
        // final norm weight 0 and bias e0 make every hidden state e0, so logits = embed_out[:, 0]:
        // a fixed next-token distribution, whatever the context. Favour the tokens of " wool".
        try (CausalLM forced = CausalLM.create(ModelConfig.fromMap(config(tokenizer.vocabSize())), 3)) {
            int[] favoured = tokenizer.encode(" wool");
            float[] head = new float[tokenizer.vocabSize() * 32];
            for (int id : favoured) {
                head[id * 32] = 8f;
            }
            float[] bias = new float[32];
            bias[0] = 1f;
            forced.parameter("gpt_neox.final_layer_norm.weight").array().set(new float[32]);
            forced.parameter("gpt_neox.final_layer_norm.bias").array().set(bias);
            forced.parameter("embed_out.weight").array().set(head);

            MultipleChoiceQuestion q = questions.get(3); // warmest when wet: wool
            assertThat(q.choices().get(q.gold())).isEqualTo("wool");
            ChoiceScore s = new MultipleChoiceScorer(forced, tokenizer).score(q);
            assertThat(s.predicted()).isEqualTo(q.gold());
            assertThat(s.correct()).isTrue();
            assertThat(s.greedy()[q.gold()]).isTrue();

            // the exact value: each favoured token has log p = 8 - log(k e^8 + (V - k))
            int v = tokenizer.vocabSize();
            long k = java.util.Arrays.stream(favoured).distinct().count();
            double logZ = Math.log(k * Math.exp(8) + (v - k));
            int[][] pair = new MultipleChoiceScorer(forced, tokenizer)
                    .encodePair(MultipleChoiceScorer.ARC_CONTEXT.apply(q), " wool");
            assertThat(pair[1]).containsExactly(favoured);
            assertThat(s.logLikelihoods()[q.gold()]).isCloseTo(favoured.length * (8 - logZ), within(1e-3));
            // a choice with no favoured token gets -log Z per token
            int otherTokens = tokenizer.encode(MultipleChoiceScorer.ARC_CONTEXT.apply(q) + " cotton").length
                    - tokenizer.encode(MultipleChoiceScorer.ARC_CONTEXT.apply(q)).length;
            assertThat(s.logLikelihoods()[0]).isCloseTo(-otherTokens * logZ, within(1e-3));
        }
    }

    @Test
    void accNormDividesByCharacters() {
        // uniform model: every token has log p = -log V, so the choice with fewest tokens wins acc,
        // and the one with the fewest tokens per character wins acc_norm
        try (CausalLM uniform = CausalLM.create(ModelConfig.fromMap(config(tokenizer.vocabSize())), 5)) {
            uniform.parameter("embed_out.weight").array().set(new float[tokenizer.vocabSize() * 32]);
            MultipleChoiceQuestion q = new MultipleChoiceQuestion("n1", "pick one",
                    List.of("zq", "the sun"), List.of("A", "B"), "B");
            MultipleChoiceScorer scorer = new MultipleChoiceScorer(uniform, tokenizer);
            int[] a = scorer.encodePair("Question: pick one\nAnswer:", " zq")[1];
            int[] b = scorer.encodePair("Question: pick one\nAnswer:", " the sun")[1];
            ChoiceScore s = scorer.score(q);
            double logV = Math.log(tokenizer.vocabSize());
            assertThat(s.logLikelihoods()[0]).isCloseTo(-a.length * logV, within(1e-3));
            assertThat(s.logLikelihoods()[1]).isCloseTo(-b.length * logV, within(1e-3));
            int expectedAcc = a.length <= b.length ? 0 : 1;
            int expectedNorm = (double) a.length / 2 <= (double) b.length / 7 ? 0 : 1;
            assertThat(s.predicted()).isEqualTo(expectedAcc);
            assertThat(s.predictedNorm()).isEqualTo(expectedNorm);
        }
    }

    @Test
    void encodePairMovesTrailingSpaceAndSplitsAtTheContextBoundary() {
        MultipleChoiceScorer scorer = new MultipleChoiceScorer(model, tokenizer);
        int[][] p = scorer.encodePair("Answer: ", "wool");
        assertThat(p[0]).containsExactly(tokenizer.encode("Answer:"));
        int[] whole = tokenizer.encode("Answer: wool");
        assertThat(p[0].length + p[1].length).isEqualTo(whole.length);
        assertThat(scorer.encodePair("", "wool")[0]).containsExactly(tokenizer.eosTokenId());
    }

    @Test
    void badFilesAreNamed(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"x\",\"question\":\"q\",\"choices\":{\"text\":[\"a\",\"b\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"C\"}\n");
        assertThatThrownBy(() -> MultipleChoiceQuestion.readJsonl(bad))
                .isInstanceOf(EvaluationException.class).hasMessageContaining("line 1").hasMessageContaining("'C'");
        assertThatThrownBy(() -> MultipleChoiceQuestion.readJsonl(tmp.resolve("none.jsonl")))
                .hasMessageContaining("does not exist");
    }
}
