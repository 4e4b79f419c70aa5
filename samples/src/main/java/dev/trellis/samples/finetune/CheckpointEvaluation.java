package dev.trellis.samples.finetune;

import ai.djl.engine.Engine;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.pretrain.ShippedBase;
import dev.trellis.finetune.data.DatasetSplit;
import dev.trellis.finetune.data.InstructionDataset;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.eval.Answerer;
import dev.trellis.finetune.eval.EvaluationExample;
import dev.trellis.finetune.eval.EvaluationRow;
import dev.trellis.finetune.eval.ModelComparison;
import dev.trellis.finetune.eval.ModelEvaluator;
import dev.trellis.finetune.generate.GenerationConfig;
import dev.trellis.finetune.generate.Generator;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.framework.models.ModelConfigurationException;
import dev.trellis.finetune.model.ModelConfig;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Base model vs finetuned checkpoint on the same held-out questions (the course's
 * {@code model.evaluate()}), shared by {@code trellis finetune eval} and {@code trellis quickstart}.
 *
 * <p>The base is a checkpoint directory, or, when none is given, the checkpoint's own configuration
 * initialised with {@link TrainCommand#TINY_SEED}: for a model {@code trellis finetune train} built
 * from scratch, exactly the weights training started from, with the same tokenizer.
 */
public final class CheckpointEvaluation {

    /** Seed of the sample drawn from the held-out questions, so runs compare the same questions. */
    private static final long SAMPLE_SEED = 7;

    private CheckpointEvaluation() {
    }

    /**
     * The held-out questions of {@code data} (its {@code split} = test rows, else a seeded 10%),
     * a seeded sample of at most {@code limit} of them (all when {@code limit <= 0}).
     */
    public static List<EvaluationExample> heldOut(Path data, int limit) {
        InstructionDataset dataset = InstructionDataset.load(data);
        DatasetSplit split = dataset.examples().get(0).field("split") != null
                ? dataset.splitByField("split") : dataset.trainTestSplit(0.1, 123);
        List<EvaluationExample> all = new ArrayList<>(EvaluationExample.of(split.test()));
        if (all.isEmpty()) {
            throw new IllegalArgumentException(data + " has no held-out (test) questions to evaluate on;"
                    + " mark some rows \"split\": \"test\" or give more rows");
        }
        if (limit > 0 && limit < all.size()) {
            Collections.shuffle(all, new Random(SAMPLE_SEED));
            return List.copyOf(all.subList(0, limit));
        }
        return List.copyOf(all);
    }

    /**
     * Answers every question greedily with the base and with the checkpoint and scores both (exact
     * match, ROUGE, BLEU); {@code onRow} hears each scored row (for a progress bar).
     *
     * @param base a base checkpoint directory, or null for the one the checkpoint's {@code trellis.json} names
     *             ({@link #recordedBase}), else its configuration at its initial weights
     */
    public static ModelComparison compare(Path checkpoint, Path base, List<EvaluationExample> examples,
                                          int maxNewTokens, Consumer<EvaluationRow> onRow) {
        requireCheckpoint(checkpoint, "--model");
        if (base == null) {
            base = recordedBase(checkpoint);
        }
        if (base != null) {
            requireCheckpoint(base, "--base");
        }
        InstructionTemplate template = TrellisManifest.exists(checkpoint)
                ? TrellisManifest.read(checkpoint).template() : InstructionTemplate.QUESTION_ANSWER;
        ModelEvaluator evaluator = ModelEvaluator.builder().onRow(onRow).build();
        try (HfTokenizer tokenizer = HfTokenizer.load(checkpoint);
             CausalLM finetuned = CausalLM.load(checkpoint, Engine.getInstance().defaultDevice());
             HfTokenizer baseTokenizer = base != null ? HfTokenizer.load(base) : null;
             CausalLM baseModel = base != null ? CausalLM.load(base, Engine.getInstance().defaultDevice())
                     : CausalLM.create(ModelConfig.read(checkpoint.resolve("config.json")), TrainCommand.TINY_SEED,
                     Engine.getInstance().defaultDevice())) {
            String baseName = base != null ? base.toString() : "base (untrained " + checkpoint.getFileName() + ")";
            return evaluator.compare(baseName, greedy(baseModel, base != null ? baseTokenizer : tokenizer, template, maxNewTokens),
                    checkpoint.toString(), greedy(finetuned, tokenizer, template, maxNewTokens), examples);
        }
    }

    /**
     * The checkpoint in float32 against itself quantized ({@code trellis finetune eval --quantize int8}):
     * both answer every question greedily; the result's "base" is float32, its "finetuned" the quantized model.
     */
    public static ModelComparison compareQuantized(Path checkpoint, Quantization quantization, List<EvaluationExample> examples,
                                                   int maxNewTokens, Consumer<EvaluationRow> onRow) {
        requireCheckpoint(checkpoint, "--model");
        InstructionTemplate template = TrellisManifest.exists(checkpoint)
                ? TrellisManifest.read(checkpoint).template() : InstructionTemplate.QUESTION_ANSWER;
        ModelEvaluator evaluator = ModelEvaluator.builder().onRow(onRow).build();
        try (HfTokenizer tokenizer = HfTokenizer.load(checkpoint);
             CausalLM full = CausalLM.load(checkpoint, Engine.getInstance().defaultDevice());
             CausalLM quantized = CausalLM.load(checkpoint, Engine.getInstance().defaultDevice(), quantization)) {
            return evaluator.compare(checkpoint + " (float32)", greedy(full, tokenizer, template, maxNewTokens),
                    checkpoint + " (" + quantization.flagValue() + ")", greedy(quantized, tokenizer, template, maxNewTokens),
                    examples);
        }
    }

    /** How many questions the two models of a comparison answered differently. */
    public static int changedAnswers(ModelComparison comparison) {
        int changed = 0;
        for (int i = 0; i < comparison.base().size(); i++) {
            if (!comparison.base().rows().get(i).prediction().equals(comparison.finetuned().rows().get(i).prediction())) {
                changed++;
            }
        }
        return changed;
    }

    /** An answerer that prompts {@code model} with the template and decodes greedily (the start of a long prompt is cut to fit). */
    public static Answerer greedy(CausalLM model, TrellisTokenizer tokenizer, InstructionTemplate template, int maxNewTokens) {
        Generator generator = new Generator(model, tokenizer);
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxNewTokens).stopSequences(template.markers()).build();
        int room = Math.max(1, model.config().maxPositionEmbeddings() - maxNewTokens);
        return question -> {
            int[] ids = tokenizer.encode(template.format(question));
            if (ids.length > room) {
                ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
            }
            return generator.generateIds(List.of(ids), config, null).get(0).text().strip();
        };
    }

    /**
     * The pretrained base a checkpoint was finetuned from, as its {@code trellis.json} records it: the shipped
     * trellis-base, or a directory that still exists; null for a model trained from scratch (or not recorded).
     */
    public static Path recordedBase(Path checkpoint) {
        if (!TrellisManifest.exists(checkpoint)) {
            return null;
        }
        String base = TrellisManifest.read(checkpoint).baseModel();
        if (ShippedBase.isShippedBase(base)) {
            return ShippedBase.available() ? ShippedBase.directory() : null;
        }
        if (base.isEmpty() || dev.trellis.finetune.BuiltInModel.isBuiltIn(base)) {
            return null;
        }
        Path dir = Path.of(base);
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir : null;
    }

    /** Fails with a message naming {@code option} unless {@code dir} holds config.json and tokenizer.json. */
    public static void requireCheckpoint(Path dir, String option) {
        if (!Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new ModelConfigurationException(option + " " + dir + " is not a checkpoint (it needs config.json,"
                    + " model.safetensors and tokenizer.json); train one with `trellis finetune train` or `trellis quickstart`");
        }
    }
}
