package dev.trellis.samples.finetune;

import ai.djl.engine.Engine;
import dev.trellis.finetune.TrellisManifest;
import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.generate.GenerationConfig;
import dev.trellis.finetune.generate.GenerationResult;
import dev.trellis.finetune.generate.Generator;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.model.Quantization;
import dev.trellis.finetune.tokenizer.HfTokenizer;
import dev.trellis.samples.TrellisHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The course's {@code inference(text, model, tokenizer)}: a checkpoint completes a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text with a local checkpoint, token by token as it comes: each question is put into"
                + " the prompt template the model was trained with (trellis.json) unless --raw is given.",
                "Greedy by default; --temperature above 0 samples (reproducibly with --seed)."},
        footerHeading = "%nExamples:%n",
        footer = {"  trellis finetune generate \"Which fabric is the Tidewater Arroyo Hiking Pants in Crimson made from?\"",
                "  trellis finetune generate --model /tmp/pythia-qa --temperature 0.7 --seed 1 --max-new-tokens 100 \"What is Trellis?\""})
public final class GenerateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "QUESTION", arity = "0..*", description = "What to ask; one generation each.")
    List<String> questions = List.of("What is the product id of the Ironwood Trailhead Button-Up Fishing Shirt in Moss?");

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint directory (default: $TRELLIS_HOME/models/default).")
    Path model;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 decodes greedily; higher samples (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", description = "Seed for sampling, for reproducible output.")
    Long seed;

    @Option(names = "--quantize", paramLabel = "none|int8", defaultValue = "none",
            description = "Weights: int8 (llama.cpp's Q8_0 layout; experimental; decodes about 2x faster than float32 on a CPU, prefill the same: see the README); default ${DEFAULT-VALUE} (float32).")
    String quantize;

    @Option(names = "--raw", description = "Use the text as the prompt as it is, without the model's template.")
    boolean raw;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        Path dir = model != null ? model : TrellisHome.models().resolve("default");
        CheckpointEvaluation.requireCheckpoint(dir, "--model");
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens " + maxNewTokens + ": give at least 1");
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("--temperature " + temperature + ": give 0 (greedy) or more");
        }
        Quantization quantization = Quantization.parse(quantize, "--quantize");
        InstructionTemplate template = TrellisManifest.exists(dir) ? TrellisManifest.read(dir).template()
                : InstructionTemplate.QUESTION_ANSWER;
        GenerationConfig.Builder config = GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature);
        if (!raw) {
            config.stopSequences(template.markers());
        }
        if (seed != null) {
            config.seed(seed);
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(dir);
             CausalLM lm = CausalLM.load(dir, Engine.getInstance().defaultDevice(), quantization)) {
            Generator generator = new Generator(lm, tokenizer);
            out.println("Model: " + dir + " (" + lm.config().modelType() + ", " + lm.numParameters() + " parameters"
                    + (quantization == Quantization.NONE ? "" : ", " + quantization.flagValue() + " weights") + ")");
            for (String question : questions) {
                String prompt = raw ? question : template.format(question);
                out.println("\n> " + question);
                GenerationResult result = generator.generate(prompt, config.build(), (index, delta) -> {
                    out.print(delta);
                    out.flush();
                });
                out.println();
                out.println("[" + result.generatedTokens() + " tokens, " + result.finishReason() + "]");
            }
        }
        return 0;
    }
}
