package dev.trellis.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.data.TokenizedDataset;
import dev.trellis.finetune.data.TokenizedExample;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.train.IntervalStrategy;
import dev.trellis.finetune.train.Trainer;
import dev.trellis.finetune.train.TrainingArguments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model taught to run on past its answer into a new "### Question:" (as an undertrained model does) still
 * gives a clean answer: local generation stops at the template's own headers.
 */
class AnswersEndAtTheTemplateTest {

    @Test
    void aModelThatRunsOnIsCutAtTheNextHeader(@TempDir Path tmp) throws Exception {
        Path dir = TinyCheckpoint.write(Files.createDirectories(tmp.resolve("model")), 5);
        String runOn = InstructionTemplate.QUESTION_ANSWER.format("the trail jacket") + "waterproof hiking\n\n"
                + InstructionTemplate.QUESTION_ANSWER.format("the price") + "42";
        try (HfTokenizer tokenizer = HfTokenizer.load(dir); CausalLM model = CausalLM.load(dir, Device.cpu())) {
            int[] ids = tokenizer.encode(runOn);
            List<TokenizedExample> copies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                copies.add(new TokenizedExample(ids, ids.clone()));
            }
            TokenizedDataset data = new TokenizedDataset(copies, tokenizer.padTokenId(), null, List.of());
            TrainingArguments args = TrainingArguments.builder().outputDir(tmp.resolve("trained")).maxSteps(150)
                    .learningRate(1e-2).perDeviceTrainBatchSize(8).saveStrategy(IntervalStrategy.NO)
                    .loggingStrategy(IntervalStrategy.NO).disableTqdm(true).build();
            Trainer.builder().model(model).args(args).trainDataset(data).tokenizer(tokenizer)
                    .template(InstructionTemplate.QUESTION_ANSWER).build().train();
        }
        Path trained = tmp.resolve("trained");
        // without the headers as stop sequences the memorised run-on comes out whole
        try (HfTokenizer tokenizer = HfTokenizer.load(trained); CausalLM model = CausalLM.load(trained, Device.cpu())) {
            String raw = new dev.trellis.finetune.generate.Generator(model, tokenizer).generate(
                    InstructionTemplate.QUESTION_ANSWER.format("the trail jacket"),
                    dev.trellis.finetune.generate.GenerationConfig.builder().maxNewTokens(24).build(), null).text();
            assertThat(raw).contains("### Question:");
        }
        try (LocalChatModel chat = LocalChatModel.builder().checkpoint(trained).device(Device.cpu()).defaultMaxTokens(24).build()) {
            String answer = chat.chat("the trail jacket");
            assertThat(answer).isEqualTo("waterproof hiking").doesNotContain("###");
        }
    }
}
