package dev.trellis.finetune.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.TinyCheckpoint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grounded answers: whatever a model would say, under the span constraint it only copies from its source. */
class GroundedDecodingTest {

    static final String CONTEXT = "Context:\nid: TR-0042\nname: trail jacket\nprice: 129.50\n\nid: TR-0007\nname: hiking pants\n"
            + "price: 64.00\n";
    static final String REFUSAL = "I don't know; that product is not in the given context.";

    @TempDir
    static Path dir;
    static CausalLM model;
    static HfTokenizer tokenizer;

    @BeforeAll
    static void setUp() {
        TinyCheckpoint.write(dir, 11);
        model = CausalLM.load(dir, Device.cpu());
        tokenizer = HfTokenizer.load(dir);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        tokenizer.close();
    }

    @Test
    void everySampledAnswerIsASpanOfTheSourceOrTheRefusal() {
        Generator generator = new Generator(model, tokenizer);
        for (long seed = 0; seed < 12; seed++) {
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(12).temperature(1.5).seed(seed)
                    .spanConstraint(new SpanConstraint(CONTEXT, List.of(REFUSAL))).build();
            String text = generator.generate(CONTEXT + "\nQuestion: how much is the trail jacket?\n", config).text();
            assertThat(text).isNotEmpty();
            assertThat(CONTEXT.contains(text) || REFUSAL.startsWith(text)).as("'%s' copied from the context", text).isTrue();
        }
    }

    @Test
    void aSpanMayFollowAPrefixButIsStillCopied() {
        Generator generator = new Generator(model, tokenizer);
        for (long seed = 0; seed < 12; seed++) {
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(8).temperature(1.5).seed(seed)
                    .spanConstraint(new SpanConstraint(CONTEXT, List.of(REFUSAL), List.of("$", "USD "))).build();
            String text = generator.generate(CONTEXT + "\nQuestion: how much is the trail jacket?\n", config).text();
            String value = text.startsWith("$") ? text.substring(1) : text.startsWith("USD ") ? text.substring(4) : text;
            assertThat(value).as("'%s' after its prefix", text).isNotEmpty();
            assertThat(CONTEXT.contains(value) || REFUSAL.startsWith(text)).as("'%s' copied from the context", text).isTrue();
        }
    }

    @Test
    void aPrefixAloneMayNotEndTheAnswer() {
        TokenBytes bytes = TokenBytes.of(tokenizer);
        SpanConstraint.State state = new SpanConstraint.State(new SpanConstraint(CONTEXT, List.of(), List.of("$")), bytes);
        int eos = tokenizer.vocabSize();
        boolean[] allowed = new boolean[eos + 1];
        int dollar = -1;
        for (int t = 0; t < eos && dollar < 0; t++) {
            dollar = java.util.Arrays.equals(bytes.bytes(t), "$".getBytes(java.nio.charset.StandardCharsets.UTF_8)) ? t : -1;
        }
        assertThat(dollar).as("the tokenizer has a '$' token").isNotNegative();
        state.allowed(allowed, eos);
        assertThat(allowed[dollar]).as("'$' may start the answer").isTrue();
        state.advance(dollar);
        state.allowed(allowed, eos);
        assertThat(allowed[eos]).as("'$' alone may not end it").isFalse();
        assertThat(allowed[dollar]).as("'$$' is neither a prefix nor a copy").isFalse();
    }

    @Test
    void unconstrainedTheSameModelSaysThingsTheContextDoesNotHold() {
        Generator generator = new Generator(model, tokenizer);
        int outside = 0;
        for (long seed = 0; seed < 12; seed++) {
            String text = generator.generate(CONTEXT + "\nQuestion: how much is the trail jacket?\n",
                    GenerationConfig.builder().maxNewTokens(12).temperature(1.5).seed(seed).build()).text();
            outside += CONTEXT.contains(text) ? 0 : 1;
        }
        assertThat(outside).as("a random model's free text is rarely a span").isPositive();
    }

    @Test
    void localChatModelGroundsPlainRepliesInTheUsersContext() {
        try (LocalChatModel chat = LocalChatModel.builder().checkpoint(dir).device(Device.cpu()).defaultMaxTokens(10)
                .groundedAnswers(List.of(REFUSAL)).build()) {
            String answer = chat.chat(CONTEXT + "\nQuestion: how much is the trail jacket?");
            assertThat(CONTEXT.contains(answer) || REFUSAL.startsWith(answer)).as(answer).isTrue();
            assertThat(answer).isNotBlank();
        }
    }

    @Test
    void aSpanConstraintNeedsSomethingToCopyAndExcludesJson() {
        assertThatThrownBy(() -> SpanConstraint.of("")).hasMessageContaining("empty source");
        assertThatThrownBy(() -> GenerationConfig.builder().spanConstraint(SpanConstraint.of("x"))
                .jsonConstraint(JsonConstraint.anyObject()).build()).hasMessageContaining("pass one");
    }
}
