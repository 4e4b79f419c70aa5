package dev.trellis.finetune.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a dataset was turned into training sequences: recorded in a checkpoint's {@code trellis.json}
 * so the model is later prompted with the same template, and so a run can be reproduced.
 *
 * @param source         where the examples came from
 * @param template       the prompt template ({@link InstructionTemplate#toMap()})
 * @param maxLength      longest sequence allowed, in tokens
 * @param truncationSide which end over-long examples lose
 * @param trainOnPrompt  true when prompt tokens are labelled too (the course's labels = input_ids)
 * @param packing        true when short examples were packed together
 * @param examples       examples tokenized
 * @param sequences      sequences produced (fewer than examples when packing)
 * @param truncated      examples cut to {@code maxLength}
 * @param skipped        bad records left out (see {@link TokenizedDataset#badRecords()})
 * @param tokens         tokens in all sequences
 * @param labelledTokens tokens that contribute to the loss
 */
public record PreparationSummary(String source, Map<String, Object> template, int maxLength, Side truncationSide,
                                 boolean trainOnPrompt, boolean packing, int examples, int sequences, int truncated,
                                 int skipped, long tokens, long labelledTokens) {

    public PreparationSummary {
        template = Map.copyOf(template);
    }

    /** The summary as a JSON-ready map with snake_case keys. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("prompt_template", new LinkedHashMap<>(new java.util.TreeMap<>(template)));
        m.put("max_length", maxLength);
        m.put("truncation_side", truncationSide.name().toLowerCase(java.util.Locale.ROOT));
        m.put("train_on_prompt", trainOnPrompt);
        m.put("packing", packing);
        m.put("examples", examples);
        m.put("sequences", sequences);
        m.put("truncated", truncated);
        m.put("skipped", skipped);
        m.put("tokens", tokens);
        m.put("labelled_tokens", labelledTokens);
        return m;
    }
}
