package dev.trellis.finetune.eval;

/**
 * Score of one question: the log-likelihood of each choice's continuation after the context, and
 * the choices {@code acc} and {@code acc_norm} pick.
 *
 * @param logLikelihoods sum of log-probabilities of each choice's continuation tokens
 * @param greedy whether each choice's tokens are all the model's argmax (the harness' is_greedy)
 * @param predicted the choice with the highest log-likelihood (acc)
 * @param predictedNorm the choice with the highest log-likelihood per character (acc_norm)
 */
public record ChoiceScore(MultipleChoiceQuestion question, double[] logLikelihoods, boolean[] greedy,
                          int predicted, int predictedNorm) {

    public boolean correct() {
        return predicted == question.gold();
    }

    public boolean correctNorm() {
        return predictedNorm == question.gold();
    }
}
