package com.example.agent;

import dev.langchain4j.model.chat.ChatModel;
import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.ModelRunner;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.train.TrainOutput;
import dev.trellis.framework.models.Models;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * The chat model this example talks to.
 *
 * <p>With {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} set (OpenAI, or Ollama, vLLM, LM Studio,
 * {@code trellis serve}...), or {@code TRELLIS_LOCAL_MODEL} naming a checkpoint directory, it is the
 * model {@link Models#fromEnvironment()} configures. Otherwise the example finetunes a tiny local
 * model here, in seconds, on examples written in this application's own prompts: it knows those
 * and little else, but it runs offline through the same {@link LocalChatModel} that serves a real
 * finetuned checkpoint.
 */
final class ExampleModel {

    private ExampleModel() {
    }

    /** The configured model, else a local one finetuned on {@code localTrainingData} (called only then). */
    static ChatModel create(Callable<InstructionDataset> localTrainingData) throws Exception {
        return create(localTrainingData, UnaryOperator.identity());
    }

    /** As {@link #create(Callable)}, with the local model's options adjusted. */
    static ChatModel create(Callable<InstructionDataset> localTrainingData,
                            UnaryOperator<LocalChatModel.Builder> localOptions) throws Exception {
        Map<String, String> env = System.getenv();
        if (Models.isRemoteConfigured(env) || env.containsKey("TRELLIS_LOCAL_MODEL")) {
            return Models.fromEnvironment();
        }
        InstructionDataset data = localTrainingData.call();
        System.out.println("No OPENAI_API_KEY, OPENAI_BASE_URL or TRELLIS_LOCAL_MODEL is set: finetuning a tiny local"
                + " model on " + data.size() + " " + data.source() + " (set one of them to use a real model)");
        long start = System.nanoTime();
        TrainOutput trained;
        try (ModelRunner runner = ModelRunner.builder()
                .baseModel("trellis-tiny")                     // random weights; its tokenizer is trained on the data
                .runDir(Path.of("target", "local-models", "run-" + System.currentTimeMillis()))
                .trainingArguments(a -> a.maxSteps(60).learningRate(3e-3))
                .build()) {
            runner.loadData(data);
            trained = runner.train();
        }
        System.out.printf("Trained %d steps in %.1f s (training loss %.2f); checkpoint in %s%n", trained.globalStep(),
                (System.nanoTime() - start) / 1e9, trained.trainingLoss(), trained.outputDir());
        return localOptions.apply(LocalChatModel.builder().checkpoint(trained.outputDir()).defaultMaxTokens(48)).build();
    }
}
