package dev.trellis.samples.finetune;

import dev.trellis.finetune.data.InstructionTemplate;
import dev.trellis.finetune.eval.Answerer;
import dev.trellis.finetune.generate.GenerationConfig;
import dev.trellis.finetune.generate.Generator;
import dev.trellis.finetune.generate.SpanConstraint;
import dev.trellis.finetune.model.CausalLM;
import dev.trellis.finetune.tokenizer.TrellisTokenizer;
import dev.trellis.samples.data.DocsQaGenerator;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy answers held to spans of the question's retrieved context ({@link SpanConstraint}): the part of a
 * "Context: ... Question: ..." prompt before the question, or the whole prompt when it has no such shape;
 * besides spans, the catalogue's "not in the given context" refusal and "No UPF rating", and a span may follow
 * the "$" of a price or the "UPF " of a rating.
 */
public final class GroundedAnswers {

    private GroundedAnswers() {
    }

    /** The context part of a retrieval prompt: what answers may be copied from. */
    public static String context(String prompt) {
        int q = prompt.lastIndexOf("\nQuestion: ");
        return q > 0 ? prompt.substring(0, q) : prompt;
    }

    public static Answerer answerer(CausalLM model, TrellisTokenizer tokenizer, InstructionTemplate template, int maxNewTokens) {
        Generator generator = new Generator(model, tokenizer);
        int room = Math.max(1, model.config().maxPositionEmbeddings() - maxNewTokens);
        return question -> {
            int[] ids = tokenizer.encode(template.format(question));
            if (ids.length > room) {
                ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
            }
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxNewTokens).stopSequences(template.markers())
                    .spanConstraint(new SpanConstraint(context(question), DocsQaGenerator.GROUNDED_FIXED_ANSWERS,
                            DocsQaGenerator.GROUNDED_SPAN_PREFIXES)).build();
            return generator.generateIds(List.of(ids), config, null).get(0).text().strip();
        };
    }
}
