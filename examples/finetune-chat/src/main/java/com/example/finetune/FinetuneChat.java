package com.example.finetune;

import dev.trellis.finetune.LocalChatModel;
import dev.trellis.finetune.ModelRunner;
import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.finetune.train.TrainOutput;

import java.nio.file.Path;
import java.util.List;

/**
 * Finetunes a local model on your question/answer pairs, compares it with its base, then chats with
 * it: no API key, no download, the CPU only.
 *
 * <p>The base is the built-in {@code trellis-micro}: random weights, with a tokenizer trained on the
 * data, small enough to learn these answers in a few seconds. For a real model pass a Hugging Face
 * checkpoint directory instead (or {@code "trellis-tiny"} and minutes rather than steps).
 *
 * <pre>
 * java -Dai.djl.offline=true -jar target/finetune-chat.jar [data.jsonl] [question...]
 * </pre>
 */
public class FinetuneChat {

    public static void main(String[] args) {
        Path data = Path.of(args.length > 0 ? args[0] : "shop_qa.jsonl");
        List<String> questions = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("What colour is the Poplar jacket?", "How many pockets does the Poplar vest have?",
                        "Is the Poplar tent waterproof?");

        // 1. Finetune: load the pairs, hold out 20% of them, train, and compare base and finetuned on the held-out ones.
        TrainOutput trained;
        try (ModelRunner runner = ModelRunner.builder()
                .baseModel("trellis-micro")
                .testSize(0.2)
                .maxNewTokens(6)
                .trainingArguments(a -> a.maxSteps(60).learningRate(3e-3).warmupSteps(5).perDeviceTrainBatchSize(8))
                .build()) {
            runner.loadDataFromJsonLines(data, "question", "answer");
            System.out.printf("Finetuning %s on %d pairs from %s (%d held out)...%n", runner.baseModel(),
                    runner.data().train().size(), data, runner.data().test().size());
            trained = runner.train();
            System.out.printf("Trained %d steps, final training loss %.3f; checkpoint in %s%n",
                    trained.globalStep(), trained.trainingLoss(), trained.outputDir());
            ModelComparison comparison = runner.evaluate();
            System.out.printf("Exact match on the held-out questions: base %.2f, finetuned %.2f%n",
                    comparison.base().exactMatch(), comparison.finetuned().exactMatch());
        }

        // 2. Chat: the checkpoint is a langchain4j ChatModel (and StreamingChatModel) like any other.
        try (LocalChatModel model = LocalChatModel.builder().checkpoint(trained.outputDir()).defaultMaxTokens(16).build()) {
            for (String question : questions) {
                System.out.println("> " + question);
                System.out.println(model.chat(question));
            }
        }
    }
}
