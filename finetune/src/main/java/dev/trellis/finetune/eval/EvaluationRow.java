package dev.trellis.finetune.eval;

/**
 * One evaluated example: the model's prediction and its scores. ROUGE values are F-measures in
 * [0, 1]; BLEU is sacreBLEU's sentence BLEU in [0, 100].
 */
public record EvaluationRow(EvaluationExample example, String prediction, boolean exactMatch,
                            double rouge1, double rouge2, double rougeL, double bleu, ErrorFlags errors) {
}
